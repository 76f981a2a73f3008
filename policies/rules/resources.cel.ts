/**
 * resources-required and resource-values-valid as CEL, judged per container with Kubernetes'
 * quantity library (`quantity()`, `sign()`, `isLessThan()`, `asApproximateFloat()`:
 * https://kubernetes.io/docs/reference/using-api/cel/#kubernetes-quantity-library).
 */
import type { ResourceValuesConfig, ResourcesRequiredConfig } from "./types";
import { type RuleCel, celString, hasParam, hasQuantity, quantityOf } from "./cel";
import { resourcesToFill } from "./resources";
import { parseQuantity } from "./quantity";

type Key = "requests" | "limits";

const POD = "variables.podSpec";

/** Set to a non-zero amount (Kubernetes treats zero as not asking for anything). */
const setNonZero = (key: Key, name: string, owner = "c") =>
  `(${hasQuantity(key, name, owner)} && ${quantityOf(key, name, owner)}.sign() != 0)`;

/**
 * As the rule core reads it (`covers` in resources.ts): a non-zero value, and for a request a
 * non-zero limit when the request is absent, which the API server copies into it.
 */
function covered(key: Key, name: string, owner: string): string {
  if (key === "limits") return setNonZero("limits", name, owner);
  return `(${hasQuantity("requests", name, owner)} ? ${quantityOf("requests", name, owner)}.sign() != 0 : ${setNonZero("limits", name, owner)})`;
}

/** Neither the container nor the pod's own `spec.resources` (PodLevelResources, KEP-2837) asks for it. */
function missing(key: Key, name: string): string {
  return `(!${covered(key, name, "c")} && !${covered(key, name, POD)})`;
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
    const list = (key: Key) =>
      Object.entries(wanted[key])
        .map(([name, value]) => `${name}: ${value}`)
        .join(", ");
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

/** Any amount under `key` of `owner` (a container `c` or the pod spec) is negative, or (for limits) below its own request. */
function badValues(key: Key, owner = "c"): string {
  const r = `${owner}.resources`;
  const negative = `quantity(${r}.${key}[k]).sign() < 0`;
  const belowRequest = `(has(${r}.requests) && k in ${r}.requests && quantity(${r}.limits[k]).isLessThan(quantity(${r}.requests[k])))`;
  return `(has(${r}) && has(${r}.${key}) && ${r}.${key}.exists(k, ${key === "limits" ? `${negative} || ${belowRequest}` : negative}))`;
}

/**
 * The rule core compares limit/request, truncated to six decimals, with the ratio; CEL has doubles
 * only, so the quotient is scaled and truncated the same way (`int()` truncates), and a quotient too
 * large for an int is over any ratio a platform would set.
 */
function ratioExceeds(param: string, name: string): string {
  const scaled = `(${quantityOf("limits", name)}.asApproximateFloat() * 1000000.0 / ${quantityOf("requests", name)}.asApproximateFloat())`;
  return (
    `(${hasParam(param)} && ${hasQuantity("limits", name)} && ${hasQuantity("requests", name)} && ${quantityOf("requests", name)}.sign() > 0 && ` +
    `(${scaled} >= 9.0e18 || double(int(${scaled})) / 1000000.0 > double(params.data[${celString(param)}])))`
  );
}

function outOfBounds(b: (typeof BOUNDS)[number]): string {
  const value = quantityOf(b.key, b.name);
  const bound = `quantity(params.data[${celString(b.param)}])`;
  return `(${hasParam(b.param)} && ${hasQuantity(b.key, b.name)} && ${b.below ? `${value}.isLessThan(${bound})` : `${value}.isGreaterThan(${bound})`})`;
}

export const resourceValuesValidCel: RuleCel<ResourceValuesConfig> = {
  containers: () => "variables.allContainers",
  violation: () =>
    [badValues("requests"), badValues("limits"), ...RATIOS.map((r) => ratioExceeds(r.param, r.name)), ...BOUNDS.map(outOfBounds)].join(
      " || ",
    ),
  // The pod's own totals are checked for validity and order only; bounds and ratios are per container.
  podViolation: () => `${badValues("requests", POD)} || ${badValues("limits", POD)}`,
  podProblem: "a negative request or limit, or a limit below its request, in the pod's own spec.resources",
  problem: "a negative request or limit, a limit below its request, or a value outside this platform's bounds",
  fix: () =>
    "keep every request and limit at zero or more, each limit at or above its request, and within the bounds in the policy's parameter ConfigMap",
  params(config) {
    const data: Record<string, string> = {};
    for (const { param } of RATIOS) {
      const ratio = config[param];
      if (ratio === undefined) continue;
      if (typeof ratio !== "number" || !(ratio > 0))
        throw new Error(`resource-values-valid.${param} must be a number above 0, not ${JSON.stringify(ratio)}`);
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
