/**
 * resources-required and resource-values-valid as CEL, judged per container with Kubernetes'
 * quantity library (`quantity()`, `sign()`, `isLessThan()`, `asApproximateFloat()`:
 * https://kubernetes.io/docs/reference/using-api/cel/#kubernetes-quantity-library).
 */
import { ResourceValuesConfig, ResourcesRequiredConfig } from "./types";
import { RuleCel, celString, hasParam, hasQuantity, quantityOf } from "./cel";
import { resourcesToFill } from "./resources";
import { parseQuantity } from "./quantity";

type Key = "requests" | "limits";

/** Set to a non-zero amount (Kubernetes treats zero as not asking for anything). */
const setNonZero = (key: Key, name: string) => `(${hasQuantity(key, name)} && ${quantityOf(key, name)}.sign() != 0)`;

/** As the rule core reads it: a missing request is satisfied by a limit, which the API server copies into it. */
function missing(key: Key, name: string): string {
  if (key === "limits") return `!${setNonZero("limits", name)}`;
  return `(${hasQuantity("requests", name)} ? ${quantityOf("requests", name)}.sign() == 0 : !${setNonZero("limits", name)})`;
}

export const resourcesRequiredCel: RuleCel<ResourcesRequiredConfig> = {
  containers: () => "variables.allContainers",
  violation(config) {
    const wanted = resourcesToFill(config);
    const checks = (["requests", "limits"] as const).flatMap((key) => Object.keys(wanted[key]).map((name) => missing(key, name)));
    return checks.length ? checks.join(" || ") : "false";
  },
  problem: "no cpu/memory request or memory limit (a missing or zero value)",
  fix(config) {
    const wanted = resourcesToFill(config);
    const list = (key: Key) => Object.entries(wanted[key]).map(([name, value]) => `${name}: ${value}`).join(", ");
    return `set resources.requests {${list("requests")}} and resources.limits {${list("limits")}} on each container`;
  },
};

/** The bounds resource-values-valid reads from the ConfigMap, under the config's own names. */
const BOUNDS = [
  { param: "minCpuRequest", key: "requests", name: "cpu", below: true },
  { param: "minMemoryRequest", key: "requests", name: "memory", below: true },
  { param: "maxCpuLimit", key: "limits", name: "cpu", below: false },
  { param: "maxMemoryLimit", key: "limits", name: "memory", below: false },
] as const;
const RATIOS = [
  { param: "maxMemoryLimitToRequestRatio", name: "memory" },
  { param: "maxCpuLimitToRequestRatio", name: "cpu" },
] as const;

/** Any amount under `key` is negative, or (for limits) below its own request. */
function badValues(key: Key): string {
  const negative = `quantity(c.resources.${key}[k]).sign() < 0`;
  const belowRequest = `(has(c.resources.requests) && k in c.resources.requests && quantity(c.resources.limits[k]).isLessThan(quantity(c.resources.requests[k])))`;
  return `(has(c.resources) && has(c.resources.${key}) && c.resources.${key}.exists(k, ${key === "limits" ? `${negative} || ${belowRequest}` : negative}))`;
}

/**
 * The rule core compares limit/request, truncated to six decimals, with the ratio; CEL has doubles
 * only, so the quotient is scaled and truncated the same way (`int()` truncates), and a quotient too
 * large for an int is over any ratio a platform would set.
 */
function ratioExceeds(param: string, name: string): string {
  const scaled = `(${quantityOf("limits", name)}.asApproximateFloat() * 1000000.0 / ${quantityOf("requests", name)}.asApproximateFloat())`;
  return `(${hasParam(param)} && ${hasQuantity("limits", name)} && ${hasQuantity("requests", name)} && ${quantityOf("requests", name)}.sign() > 0 && ` +
    `(${scaled} >= 9.0e18 || double(int(${scaled})) / 1000000.0 > double(params.data[${celString(param)}])))`;
}

function outOfBounds(b: (typeof BOUNDS)[number]): string {
  const value = quantityOf(b.key, b.name);
  const bound = `quantity(params.data[${celString(b.param)}])`;
  return `(${hasParam(b.param)} && ${hasQuantity(b.key, b.name)} && ${b.below ? `${value}.isLessThan(${bound})` : `${value}.isGreaterThan(${bound})`})`;
}

export const resourceValuesValidCel: RuleCel<ResourceValuesConfig> = {
  containers: () => "variables.allContainers",
  violation: () => [badValues("requests"), badValues("limits"), ...RATIOS.map((r) => ratioExceeds(r.param, r.name)), ...BOUNDS.map(outOfBounds)].join(" || "),
  problem: "a negative request or limit, a limit below its request, or a value outside this platform's bounds",
  fix: () => "keep every request and limit at zero or more, each limit at or above its request, and within the bounds in the policy's parameter ConfigMap",
  params(config) {
    const data: Record<string, string> = {};
    for (const { param } of RATIOS) {
      const ratio = config[param];
      if (ratio === undefined) continue;
      if (typeof ratio !== "number" || !(ratio > 0)) throw new Error(`resource-values-valid.${param} must be a number above 0, not ${JSON.stringify(ratio)}`);
      data[param] = String(ratio);
    }
    for (const { param } of BOUNDS) {
      const bound = config[param];
      if (bound === undefined) continue;
      const parsed = parseQuantity(bound);
      if (!parsed.ok) throw new Error(`resource-values-valid.${param}: ${parsed.error}`);
      data[param] = bound;
    }
    return data;
  },
};
