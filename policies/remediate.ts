/**
 * Remediation for workloads we cannot edit (third-party charts): fill in missing requests and
 * limits with the configured defaults, as AKS Deployment Safeguards' mutator does — but never
 * overwrite a value that is set, including an invalid one, which the validators then report.
 */
import { compareQuantities, parseQuantity, podTemplates, SUGGESTED_RESOURCES } from "./rules";
import { ResourcesRequiredConfig } from "./rules/types";

type Values = Record<keyof typeof SUGGESTED_RESOURCES, string>;

/** A copy of `props` with missing resources filled in, or undefined when nothing was missing. */
export function fillMissingResources(props: unknown, typeToken: string, config: ResourcesRequiredConfig): unknown {
  const copy = clonePlain(props);
  const values: Values = { ...SUGGESTED_RESOURCES, ...config.defaults };
  const wanted: Array<[group: "requests" | "limits", resource: "cpu" | "memory", value: string]> = [];
  if (config.requireCpuRequest ?? true) wanted.push(["requests", "cpu", values.cpuRequest]);
  if (config.requireMemoryRequest ?? true) wanted.push(["requests", "memory", values.memoryRequest]);
  if (config.requireMemoryLimit ?? true) wanted.push(["limits", "memory", values.memoryLimit]);
  if (config.requireCpuLimit ?? false) wanted.push(["limits", "cpu", values.cpuLimit]);

  let changed = false;
  for (const template of podTemplates(copy, { typeToken })) {
    if (template.partial) continue;
    for (const c of template.containers) {
      const resources = plainChild(c.spec, "resources");
      if (!resources) continue; // set to something that is not an object: spec-readable reports it
      for (const [group, resource, value] of wanted) {
        const target = plainChild(resources, group);
        if (!target || isSet(target, resource)) continue;
        // A request left out next to a limit is already defaulted to the limit by the API server.
        if (group === "requests" && isSet(resources.limits, resource)) continue;
        target[resource] = group === "limits" ? atLeastRequest(resources.requests, resource, value) : value;
        changed = true;
      }
    }
  }
  return changed ? copy : undefined;
}

/** A filled-in limit must not fall below a request the user set, or the API server rejects the pod. */
function atLeastRequest(requests: unknown, resource: string, limit: string): unknown {
  const request = isSet(requests, resource) ? (requests as Record<string, unknown>)[resource] : undefined;
  const r = parseQuantity(request);
  const l = parseQuantity(limit);
  return r.ok && l.ok && compareQuantities(r.quantity, l.quantity) > 0 ? request : limit;
}

function isSet(group: unknown, key: string): boolean {
  return typeof group === "object" && group !== null && (group as Record<string, unknown>)[key] != null;
}

/** The object at `obj[key]`, created when absent; undefined when something else is there. */
function plainChild(obj: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return (obj[key] = {});
  return isPlain(v) ? (v as Record<string, unknown>) : undefined;
}

/** Deep copy of plain objects and arrays; anything else (secret wrappers, assets) is kept as is. */
function clonePlain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(clonePlain);
  if (isPlain(v)) return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, clonePlain(x)]));
  return v;
}

function isPlain(v: unknown): boolean {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
