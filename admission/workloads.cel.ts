/**
 * CEL that finds the pod spec and the exemption annotation in any workload the policies match —
 * derived from the rule core's workload shapes table, so both read the same fields of the same kinds.
 */
import { EXEMPT_ANNOTATION, WORKLOADS, celString } from "../policies/rules";

/** The kinds admission policies match, with their API group, version and resource. */
export const ADMITTED_KINDS = [
  { kind: "Pod", group: "", version: "v1", resource: "pods" },
  { kind: "Deployment", group: "apps", version: "v1", resource: "deployments" },
  { kind: "StatefulSet", group: "apps", version: "v1", resource: "statefulsets" },
  { kind: "DaemonSet", group: "apps", version: "v1", resource: "daemonsets" },
  { kind: "ReplicaSet", group: "apps", version: "v1", resource: "replicasets" },
  { kind: "Job", group: "batch", version: "v1", resource: "jobs" },
  { kind: "CronJob", group: "batch", version: "v1", resource: "cronjobs" },
] as const;

/** `has(o.a) && has(o.a.b) && …`: CEL errors on a missing field, so every step is tested. */
function hasPath(root: string, keys: readonly string[]): string {
  return keys.map((_, i) => `has(${[root, ...keys.slice(0, i + 1)].join(".")})`).join(" && ") || "true";
}

/** Kinds grouped by the path of a field, for a chain of `object.kind in [...] ? … : …`. */
function byKind(path: (kind: string) => readonly string[] | undefined): Array<{ kinds: string[]; keys: readonly string[] }> {
  const groups = new Map<string, { kinds: string[]; keys: readonly string[] }>();
  for (const { kind } of ADMITTED_KINDS) {
    const keys = path(kind);
    if (!keys) continue;
    const id = keys.join(".");
    if (!groups.has(id)) groups.set(id, { kinds: [], keys });
    groups.get(id)!.kinds.push(kind);
  }
  return [...groups.values()];
}

function kindIn(kinds: string[]): string {
  return `object.kind in [${kinds.map(celString).join(", ")}]`;
}

/** CEL: the pod spec of the admitted object (`null` for a kind without one, which the match constraints rule out). */
export function podSpecExpression(): string {
  return byKind((kind) => WORKLOADS[kind].specPath).reduceRight(
    (otherwise, { kinds, keys }) => `${kindIn(kinds)} ? (${hasPath("object", keys)} ? object.${keys.join(".")} : null) : ${otherwise}`,
    "null",
  );
}

/**
 * CEL: the exemption annotation as the rule core reads it — the object's own, else its pod
 * template's (a Pod has no template) — or "" when neither has one.
 */
export function exemptAnnotationExpression(): string {
  const key = celString(EXEMPT_ANNOTATION);
  const at = (root: string, keys: readonly string[]) => {
    const annotations = [...keys, "metadata", "annotations"];
    return `${hasPath(root, annotations)} && ${key} in ${root}.${annotations.join(".")} ? ${root}.${annotations.join(".")}[${key}]`;
  };
  const template = byKind((kind) => (kind === "Pod" ? undefined : WORKLOADS[kind].specPath.slice(0, -1))).reduceRight(
    (otherwise, { kinds, keys }) => `${kindIn(kinds)} ? (${at("object", keys)} : '') : ${otherwise}`,
    "''",
  );
  return `${at("object", [])} : (${template})`;
}

/** CEL: whether the object's pods run until stopped — the rule core's `longRunning`. */
export function longRunningExpression(): string {
  const kinds = ADMITTED_KINDS.map((k) => k.kind).filter((k) => k !== "Pod" && WORKLOADS[k].longRunning);
  // A Pod with restartPolicy OnFailure or Never runs to completion, a job in all but name.
  return `${kindIn(kinds)} || (object.kind == 'Pod' && (!has(object.spec.restartPolicy) || object.spec.restartPolicy == 'Always'))`;
}
