/**
 * `withDefaults()`: a Pulumi resource transform that gives workloads we do not author — Helm
 * charts, raw YAML, other teams' components — the requests, limits and readiness probes they
 * left out, before the policy pack sees them. It never overwrites a value that is set, not even
 * an invalid one: that stays for the pack to report with its fix.
 *
 *   pulumi.runtime.registerResourceTransform(withDefaults());          // the whole stack
 *   new k8s.helm.v4.Chart("redis", {...}, { transforms: [withDefaults()] });  // one chart
 */
import type * as pulumi from "@pulumi/pulumi";
import { firstPort, isWorkloadType, notCoveredByPod, podTemplates } from "../policies/rules";
import { clonePlain, fillContainerResources, isPlain } from "../policies/rules/fill";
import { DEFAULTS, type ResourceValues, resourceRequirements } from "./defaults";

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
      changed = fillResources(c.spec, resources, template.podResources) || changed;
      if (template.longRunning && c.kind !== "init") changed = fillReadinessProbe(c.spec) || changed;
    }
  }
  return changed ? copy : undefined;
}

/** Fills missing requests and memory limit of one container in place, except what the pod's own `spec.resources` covers; true when it changed it. */
export function fillResources(container: Obj, overrides: Partial<ResourceValues> = {}, podResources?: unknown): boolean {
  return fillContainerResources(container, notCoveredByPod(resourceRequirements(overrides), podResources));
}

function fillReadinessProbe(container: Obj): boolean {
  if (container.readinessProbe !== undefined && container.readinessProbe !== null) return false;
  const port = firstPort(container);
  if (port === undefined) return false;
  container.readinessProbe = { tcpSocket: { port }, ...DEFAULTS.probeTimings.readinessProbe };
  return true;
}
