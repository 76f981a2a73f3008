/**
 * What the API server makes of a manifest before a ValidatingAdmissionPolicy sees it, for the
 * fields crashguard reads: decoding into the typed object (a null field is no field; a quantity is
 * parsed — a number or a string, null meaning zero — or the request fails; a field of the wrong type
 * fails), defaulting (metadata.namespace from the request, restartPolicy Always, and for Pods the
 * limits copied into missing requests: SetDefaults_Pod in pkg/apis/core/v1/defaults.go), and the
 * required-field validation (a workload without containers never reaches admission).
 * Quantities keep their text: the policies read them through quantity(), not as strings.
 */
import { WORKLOADS, parseQuantity } from "../../policies/rules";

type Obj = Record<string, unknown>;
export type Decoded = { ok: true; object: Obj } | { ok: false; reason: string };

class Rejected extends Error {}

const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

export function decode(manifest: unknown): Decoded {
  try {
    return { ok: true, object: decodeWorkload(manifest) };
  } catch (err) {
    if (err instanceof Rejected) return { ok: false, reason: err.message };
    throw err;
  }
}

function decodeWorkload(manifest: unknown): Obj {
  const obj = dropNulls(manifest, "");
  if (!isObj(obj) || typeof obj.kind !== "string" || !Object.hasOwn(WORKLOADS, obj.kind)) throw new Rejected("not a workload");
  const metadata = objectAt(obj, "metadata", "metadata") ?? (obj.metadata = {});
  metadata.namespace ??= "default";
  for (const key of ["annotations", "labels"]) stringMap(metadata[key], `metadata.${key}`);
  const path = WORKLOADS[obj.kind].specPath;
  let holder: Obj = obj;
  for (const [i, key] of path.entries()) {
    const next = objectAt(holder, key, path.slice(0, i + 1).join("."));
    if (!next) throw new Rejected(`${path.join(".")}: Required value`);
    if (i === path.length - 2) stringMap(field(field(next, "metadata"), "annotations"), "template annotations");
    holder = next;
  }
  decodePodSpec(holder, obj.kind === "Pod");
  return obj;
}

function decodePodSpec(spec: Obj, isPod: boolean): void {
  spec.restartPolicy ??= "Always";
  const containers = containerList(spec.containers, "containers");
  if (containers.length === 0) throw new Rejected("containers: Required value");
  for (const c of [...containers, ...containerList(spec.initContainers, "initContainers")]) {
    if (typeof c.name !== "string" || c.name === "") throw new Rejected("container name: Required value");
    for (const probe of ["readinessProbe", "livenessProbe", "startupProbe"]) {
      if (c[probe] !== undefined && !isObj(c[probe])) throw new Rejected(`${probe}: expected an object`);
    }
    decodeResources(c, isPod);
  }
  // Pod-level resources (PodLevelResources) are quantities too; their defaulting changes no verdict here.
  decodeResources(spec, false);
}

function decodeResources(c: Obj, isPod: boolean): void {
  const resources = objectAt(c, "resources", "resources");
  if (!resources) return;
  const lists: Record<"requests" | "limits", Obj | undefined> = { requests: undefined, limits: undefined };
  for (const key of ["requests", "limits"] as const) {
    const list = objectAt(resources, key, `resources.${key}`);
    if (!list) continue;
    for (const [name, value] of Object.entries(list)) list[name] = quantityText(value, `resources.${key}.${name}`);
    lists[key] = list;
  }
  if (isPod && lists.limits) {
    const requests = lists.requests ?? (resources.requests = {});
    for (const [name, value] of Object.entries(lists.limits)) if (!Object.hasOwn(requests as Obj, name)) (requests as Obj)[name] = value;
  }
}

/** resource.Quantity's UnmarshalJSON: a JSON number or string that parses, or null for zero. */
function quantityText(v: unknown, path: string): string {
  if (v === null) return "0";
  const text = typeof v === "number" ? String(v) : v;
  if (typeof text !== "string" || !parseQuantity(text).ok) throw new Rejected(`${path}: quantities must match the regular expression`);
  return text;
}

/** A JSON null decodes to the zero value, which the typed object then omits (except a quantity, decoded above before its nulls are gone). */
function dropNulls(v: unknown, path: string): unknown {
  if (Array.isArray(v)) {
    if (v.some((x) => x === null)) throw new Rejected(`${path}: null in a list`);
    return v.map((x, i) => dropNulls(x, `${path}[${i}]`));
  }
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === null && !/resources\.(requests|limits)$/.test(path)) continue;
    out[k] = dropNulls(x, path ? `${path}.${k}` : k);
  }
  return out;
}

function objectAt(holder: Obj, key: string, path: string): Obj | undefined {
  const v = holder[key];
  if (v === undefined) return undefined;
  if (!isObj(v)) throw new Rejected(`${path}: expected an object`);
  return v;
}

function containerList(v: unknown, path: string): Obj[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every(isObj)) throw new Rejected(`${path}: expected a list of containers`);
  return v;
}

function stringMap(v: unknown, path: string): void {
  if (v !== undefined && (!isObj(v) || !Object.values(v).every((x) => typeof x === "string")))
    throw new Rejected(`${path}: expected a map of strings`);
}

function field(v: unknown, key: string): unknown {
  return isObj(v) ? v[key] : undefined;
}
