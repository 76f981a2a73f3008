/**
 * Filling in a container's missing requests and limits: the one mechanism behind the pack's
 * remediate mode, the components' `withDefaults()` transform and the `resources:` fix that
 * resources-required suggests, so all three agree on what a filled-in container looks like.
 */
import { compareQuantities, parseQuantity } from "./quantity";

type Obj = Record<string, unknown>;

/** Requests and limits to give a container, by resource name. */
export interface ResourceValuesToFill {
  requests: Record<string, string>;
  limits: Record<string, string>;
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
