/**
 * An upper bound on the runtime cost of one evaluation of a generated policy's CEL, by the cost model
 * the API server enforces (cel-go `interpreter/runtimecost.go`; Kubernetes' limit is 1,000,000 per
 * expression, `k8s.io/apiserver/pkg/apis/cel/config.go` PerCallLimit):
 *   - every identifier, field selection, `has()`, call and list literal costs 1 (constants 0);
 *   - a comprehension (`filter`, `exists`, `map`, `all`) costs its range, then per element its
 *     condition and step; element counts come from `sizes` (containers in the pod, resource names
 *     in a requests map, owner references);
 *   - `matches` costs ceil(0.1 × (1 + text length)) × ceil(0.25 × pattern length); string `+`,
 *     `join` and `quantity()` 0.1 per character; `in` a list one comparison per element;
 *   - a conditional or `&&` / `||` is charged both branches, and a policy variable is charged in full
 *     to every expression that reads it (the API server charges it once, to the first).
 * The object is dynamic, so Kubernetes cannot estimate this statically; these sizes are the estimate's input.
 */
import { parse, unparse } from "@bufbuild/cel";
import type { ValidatingAdmissionPolicy } from "kubernetes-types/admissionregistration/v1";

/** The strictest config the cost is judged under: every optional check and bound of the resource rules on. */
export const STRICT_CONFIGS = {
  "resources-required": { requireCpuLimit: true },
  "resource-values-valid": {
    maxMemoryLimitToRequestRatio: 2,
    maxCpuLimitToRequestRatio: 2,
    minCpuRequest: "100m",
    minMemoryRequest: "64Mi",
    maxCpuLimit: "4",
    maxMemoryLimit: "8Gi",
  },
};

export interface Sizes {
  /** Containers of each kind in the pod, and in any list built from them. */
  containers: number;
  /** Resource names in one requests or limits map. */
  resourceNames: number;
  ownerReferences: number;
  /** Length of the exemption annotation's value. */
  annotation: number;
  /** Length of any other string (names, quantities). */
  text: number;
}

type Expr = ReturnType<typeof parse>["expr"] & {};

const STRING_FACTOR = 0.1;
const REGEX_FACTOR = 0.25;

function listSize(e: Expr, s: Sizes): number {
  const kind = e.exprKind;
  if (kind.case === "listExpr") return kind.value.elements.length;
  if (kind.case === "comprehensionExpr") return listSize(kind.value.iterRange!, s);
  if (kind.case === "callExpr" && kind.value.function === "_?_:_")
    return Math.max(listSize(kind.value.args[1], s), listSize(kind.value.args[2], s));
  const text = unparse(e);
  if (/\.(requests|limits)$/.test(text)) return s.resourceNames;
  if (/ownerReferences$/.test(text)) return s.ownerReferences;
  return s.containers; // every other list the policies build is a list of the pod's containers
}

function textSize(e: Expr, s: Sizes): number {
  const kind = e.exprKind;
  if (kind.case === "constExpr" && kind.value.constantKind.case === "stringValue") return kind.value.constantKind.value.length;
  if (kind.case === "callExpr" && kind.value.function === "_+_") return kind.value.args.reduce((n, a) => n + textSize(a, s), 0);
  if (kind.case === "callExpr" && kind.value.function === "join") return listSize(kind.value.target!, s) * (s.text + 2);
  return /annotations/.test(unparse(e)) ? s.annotation : s.text;
}

function cost(e: Expr, s: Sizes): number {
  const kind = e.exprKind;
  switch (kind.case) {
    case "constExpr":
      return 0;
    case "identExpr":
      return 1;
    case "selectExpr":
      return 1 + cost(kind.value.operand!, s);
    case "listExpr":
      return 1 + kind.value.elements.reduce((n, x) => n + cost(x, s), 0);
    case "comprehensionExpr": {
      const c = kind.value;
      return (
        cost(c.iterRange!, s) +
        cost(c.accuInit!, s) +
        listSize(c.iterRange!, s) * (cost(c.loopCondition!, s) + cost(c.loopStep!, s)) +
        cost(c.result!, s)
      );
    }
    case "callExpr": {
      const call = kind.value;
      const args = [...(call.target ? [call.target] : []), ...call.args];
      return 1 + args.reduce((n, a) => n + cost(a, s), 0) + callCost(call.function, args, s);
    }
    default:
      return 1;
  }
}

function callCost(fn: string, args: Expr[], s: Sizes): number {
  switch (fn) {
    case "matches":
      return Math.ceil(STRING_FACTOR * (1 + textSize(args[0], s))) * Math.ceil(REGEX_FACTOR * textSize(args[1], s));
    case "_+_":
    case "join":
      return Math.ceil(
        STRING_FACTOR * textSize({ exprKind: { case: "callExpr", value: { function: fn, args, target: args[0] } } } as unknown as Expr, s),
      );
    case "quantity":
      return Math.ceil(STRING_FACTOR * s.text);
    case "@in":
      return listSize(args[1], s);
    default:
      return 0;
  }
}

export interface ExpressionCost {
  where: string;
  cost: number;
}

/** Each expression of the policy with its estimated cost, including the variables it reads. */
export function policyCosts(policy: ValidatingAdmissionPolicy, sizes: Sizes): ExpressionCost[] {
  const spec = policy.spec!;
  const variables = new Map<string, { expr: string; cost?: number }>((spec.variables ?? []).map((v) => [v.name, { expr: v.expression }]));
  const withVariables = (expression: string, seen = new Set<string>()): number => {
    let total = cost(parse(expression).expr!, sizes);
    for (const [, name] of expression.matchAll(/variables\.(\w+)/g)) {
      if (seen.has(name)) continue;
      seen.add(name);
      total += withVariables(variables.get(name)!.expr, seen);
    }
    return total;
  };
  return [
    ...(spec.matchConditions ?? []).map((m) => ({ where: `matchConditions ${m.name}`, cost: withVariables(m.expression) })),
    ...(spec.validations ?? []).flatMap((v, i) => [
      { where: `validations[${i}].expression`, cost: withVariables(v.expression) },
      ...(v.messageExpression ? [{ where: `validations[${i}].messageExpression`, cost: withVariables(v.messageExpression) }] : []),
    ]),
  ];
}
