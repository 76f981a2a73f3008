/**
 * `withDefaults()`: a Pulumi resource transform that gives workloads we do not author — Helm
 * charts, raw YAML, other teams' components — the requests, limits and readiness probes they
 * left out, before the policy pack sees them. It never overwrites a value that is set, not even
 * an invalid one: that stays for the pack to report with its fix.
 *
 *   pulumi.runtime.registerResourceTransform(withDefaults());          // the whole stack
 *   new k8s.helm.v4.Chart("redis", {...}, { transforms: [withDefaults()] });  // one chart
 */
import * as pulumi from "@pulumi/pulumi";
import { compareQuantities, isWorkloadType, parseQuantity, podTemplates } from "../policies/rules";
import { DEFAULTS, ResourceValues, resourceRequirements } from "./defaults";

type Obj = Record<string, unknown>;

/** A resource transform filling missing requests, limits and readiness probes; see `applyDefaults`. */
export function withDefaults(resources: Partial<ResourceValues> = {}): pulumi.ResourceTransform {
  return (args) => {
    if (!args.custom) return undefined;
    const props = applyDefaults(args.type, args.props, resources);
    return props ? { props, opts: args.opts } : undefined;
  };
}

/**
 * A copy of `props` (the inputs of a resource of type `type`) with, on every container of every
 * pod template:
 * - cpu and memory requests and a memory limit from the defaults table, where missing (a request
 *   is left out when its limit is set, since the API server copies the limit into it; a filled-in
 *   memory limit is never below the request that is set);
 * - on long-running containers (not Jobs or CronJobs, not plain init containers) that declare a
 *   port, a readinessProbe checking a TCP connection to the first declared port. TCP, because it
 *   is the one check every server passes without our knowing its HTTP paths. No livenessProbe:
 *   a guessed liveness check that fails restarts a healthy app, the very crash loop we prevent.
 * Returns undefined when nothing was missing, and for anything that is not a workload or is a
 * Patch. Values not known yet (Outputs) are left alone.
 */
export function applyDefaults(type: string, props: unknown, resources: Partial<ResourceValues> = {}): Obj | undefined {
  if (!isWorkloadType(type) || !isPlain(props)) return undefined;
  const copy = clonePlain(props);
  let changed = false;
  for (const template of podTemplates(copy, { typeToken: type })) {
    if (template.partial) continue;
    for (const c of template.containers) {
      if (!isPlain(c.spec)) continue;
      changed = fillResources(c.spec, resources) || changed;
      if (template.longRunning && c.kind !== "init") changed = fillReadinessProbe(c.spec) || changed;
    }
  }
  return changed ? copy : undefined;
}

/** Fills missing requests and memory limit of one container in place; true when it changed it. */
export function fillResources(container: Obj, overrides: Partial<ResourceValues> = {}): boolean {
  const defaults = resourceRequirements(overrides);
  const resources = plainChild(container, "resources");
  const requests = resources && plainChild(resources, "requests");
  const limits = resources && plainChild(resources, "limits");
  if (!requests || !limits) return false; // set to something we cannot read: the pack reports it
  let changed = false;
  for (const [key, value] of Object.entries(defaults.requests)) {
    if (isSet(requests[key]) || isSet(limits[key])) continue;
    requests[key] = value;
    changed = true;
  }
  for (const [key, value] of Object.entries(defaults.limits)) {
    if (isSet(limits[key])) continue;
    limits[key] = atLeast(requests[key], value);
    changed = true;
  }
  pruneEmpty(container, resources, requests, limits);
  return changed;
}

function fillReadinessProbe(container: Obj): boolean {
  if (isSet(container.readinessProbe)) return false;
  const port = firstDeclaredPort(container.ports);
  if (port === undefined) return false;
  container.readinessProbe = { tcpSocket: { port }, ...DEFAULTS.probeTimings.readinessProbe };
  return true;
}

/** The first port the container declares, by name when it has one (probes follow a renumbering). */
function firstDeclaredPort(ports: unknown): string | number | undefined {
  if (!Array.isArray(ports)) return undefined;
  for (const p of ports) {
    if (!isPlain(p)) continue;
    if (typeof p.name === "string" && p.name !== "") return p.name;
    if (typeof p.containerPort === "number") return p.containerPort;
  }
  return undefined;
}

/** A filled-in limit below the request that is set would be rejected by the API server. */
function atLeast(request: unknown, limit: string): unknown {
  const r = parseQuantity(request);
  const l = parseQuantity(limit);
  return r.ok && l.ok && compareQuantities(r.quantity, l.quantity) > 0 ? request : limit;
}

function isSet(v: unknown): boolean {
  return v !== undefined && v !== null;
}

/** `obj[key]` when it is a plain object, created when absent; undefined when it is anything else. */
function plainChild(obj: Obj, key: string): Obj | undefined {
  if (!isSet(obj[key])) obj[key] = {};
  const v = obj[key];
  return isPlain(v) ? v : undefined;
}

/** Undo the empty objects `plainChild` created where there was nothing to fill. */
function pruneEmpty(container: Obj, resources: Obj, requests: Obj, limits: Obj): void {
  if (Object.keys(requests).length === 0) delete resources.requests;
  if (Object.keys(limits).length === 0) delete resources.limits;
  if (Object.keys(resources).length === 0) delete container.resources;
}

/** Deep copy of plain objects and arrays; anything else (Outputs, secrets, assets) is shared as is. */
export function clonePlain<T>(v: T): T {
  if (Array.isArray(v)) return v.map(clonePlain) as T;
  if (isPlain(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clonePlain(x)])) as T;
  return v;
}

function isPlain(v: unknown): v is Obj {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
