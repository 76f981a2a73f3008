/**
 * The shape of a rule's in-cluster twin: CEL a ValidatingAdmissionPolicy evaluates
 * (https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/).
 * A fragment judges one container `c`; the generator in `admission` wraps it with the
 * object's pod spec, the exemptions and the excluded namespaces, so each fragment stays as small
 * as the rule it mirrors. A differential test holds every fragment to its rule's verdicts.
 *
 * Variables every fragment may read (built once per policy by the generator):
 *   variables.podSpec         the pod spec of a Pod, a workload's template or a CronJob's job template
 *   variables.containers      podSpec.containers
 *   variables.sidecars        init containers with restartPolicy: Always
 *   variables.allContainers   containers, then every init container (the rule core's order)
 *   variables.longRunning     whether the pods run until stopped (not Jobs, CronJobs, run-to-completion Pods)
 * A rule over pod-level fields (podSpec.resources, say) adds `podViolation`, judged once per object
 * beside its container list.
 */
export interface RuleCel<C> {
  /** CEL list of the containers the rule judges, e.g. `variables.allContainers`. */
  containers(config: C): string;
  /** CEL bool: whether the rule judges this object at all (default: always). */
  applies?: string;
  /** CEL bool over one container `c` (and `params`): true when the container breaks the rule. */
  violation(config: C): string;
  /**
   * CEL bool over the pod spec itself (`variables.podSpec`, never null here): true when the pod's own
   * fields break the rule — the rule core's findings without a container.
   */
  podViolation?(config: C): string;
  /** What is wrong with the pod's own fields, when `podViolation` holds. */
  podProblem?: string;
  /** What is wrong with the offending containers, in the user's terms; the container names follow it. */
  problem: string;
  /** The fix, one line, in the spec's own terms. */
  fix(config: C): string;
  /**
   * Bounds the policy reads from its parameter ConfigMap (`params.data`), by key; a rule with
   * params is bound with `parameterNotFoundAction: Deny`, so a missing ConfigMap never silently disables it.
   */
  params?(config: C): Record<string, string>;
}

/** A CEL string literal holding `text`. */
export function celString(text: string): string {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n")}'`;
}

/** CEL: `<owner>.resources.<key>` holds a quantity for `name`; `owner` is a container `c` or the pod spec. */
export function hasQuantity(key: "requests" | "limits", name: string, owner = "c"): string {
  return `(has(${owner}.resources) && has(${owner}.resources.${key}) && ${celString(name)} in ${owner}.resources.${key})`;
}

/** CEL: the quantity `<owner>.resources.<key>[name]` (guard with `hasQuantity`). */
export function quantityOf(key: "requests" | "limits", name: string, owner = "c"): string {
  return `quantity(${owner}.resources.${key}[${celString(name)}])`;
}

/** CEL: the parameter `key` is set in the policy's ConfigMap. */
export function hasParam(key: string): string {
  return `(has(params.data) && ${celString(key)} in params.data)`;
}
