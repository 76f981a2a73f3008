/**
 * Filling in what a workload left out — the one mechanism behind the pack's remediate mode (for
 * charts users cannot edit, as AKS Deployment Safeguards' mutator does) and the components'
 * `withDefaults()` transform. It never overwrites a value that is set, including an invalid one,
 * which the validators then report with its fix.
 */
import { compareQuantities, parseQuantity, podTemplates, SUGGESTED_RESOURCES } from "./rules";
import { ResourcesRequiredConfig } from "./rules/types";

type Obj = Record<string, unknown>;

/** Requests and limits to give a container, by resource name. */
export interface ResourceValuesToFill {
  requests: Record<string, string>;
  limits: Record<string, string>;
}

/** A copy of `props` with missing resources filled in as `resources-required` is configured, or undefined when nothing was missing. */
export function fillMissingResources(props: unknown, typeToken: string, config: ResourcesRequiredConfig): unknown {
  const values = { ...SUGGESTED_RESOURCES, ...config.defaults };
  const wanted: ResourceValuesToFill = { requests: {}, limits: {} };
  if (config.requireCpuRequest ?? true) wanted.requests.cpu = values.cpuRequest;
  if (config.requireMemoryRequest ?? true) wanted.requests.memory = values.memoryRequest;
  if (config.requireMemoryLimit ?? true) wanted.limits.memory = values.memoryLimit;
  if (config.requireCpuLimit ?? false) wanted.limits.cpu = values.cpuLimit;

  const copy = clonePlain(props);
  let changed = false;
  for (const template of podTemplates(copy, { typeToken })) {
    if (template.partial) continue;
    for (const c of template.containers) changed = fillContainerResources(c.spec, wanted) || changed;
  }
  return changed ? copy : undefined;
}

/**
 * Fills one container's missing requests and limits in place; true when it changed anything.
 * A request is left out where its limit is set (the API server copies the limit into it), and a
 * filled-in limit is never below a request that is set (the API server would reject the pod).
 */
export function fillContainerResources(container: Obj, wanted: ResourceValuesToFill): boolean {
  if (!isPlain(container)) return false;
  const resources = plainChild(container, "resources");
  const requests = resources && plainChild(resources, "requests");
  const limits = resources && plainChild(resources, "limits");
  if (!resources || !requests || !limits) return false; // set to something unreadable: spec-readable reports it
  let changed = false;
  for (const [key, value] of Object.entries(wanted.requests)) {
    if (isSet(requests[key]) || isSet(limits[key])) continue;
    requests[key] = value;
    changed = true;
  }
  for (const [key, value] of Object.entries(wanted.limits)) {
    if (isSet(limits[key])) continue;
    limits[key] = atLeast(requests[key], value);
    changed = true;
  }
  // Undo the empty objects plainChild created where there was nothing to fill.
  if (Object.keys(requests).length === 0) delete resources.requests;
  if (Object.keys(limits).length === 0) delete resources.limits;
  if (Object.keys(resources).length === 0) delete container.resources;
  return changed;
}

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

/** Deep copy of plain objects and arrays; anything else (Outputs, secret wrappers, assets) is shared as is. */
export function clonePlain<T>(v: T): T {
  if (Array.isArray(v)) return v.map(clonePlain) as T;
  if (isPlain(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clonePlain(x)])) as T;
  return v;
}

export function isPlain(v: unknown): v is Obj {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
