/**
 * Evaluates generated ValidatingAdmissionPolicies the way the API server does, with @bufbuild/cel:
 * matchConditions (all true to match), then the variables in order, then each validation and its
 * messageExpression. Kubernetes' quantity library is registered as custom functions
 * (https://kubernetes.io/docs/reference/using-api/cel/#kubernetes-quantity-library); a quantity is
 * carried as a one-entry map of its exact nano-units, parsed by the rule core's quantity parser
 * (which test/rules/quantity.test.ts holds to Kubernetes' grammar).
 */
import { CelScalar, celEnv, celFunc, celMethod, isCelError, mapType, parse, plan, type CelValue } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import { RE2JS } from "@bufbuild/re2";
import type { ValidatingAdmissionPolicy } from "kubernetes-types/admissionregistration/v1";
import { parseQuantity } from "../../policies/rules";

const QUANTITY = mapType(CelScalar.STRING, CelScalar.INT);
const NANOS = "k8s.io/quantity.nanos";

function quantity(text: string): Map<string, bigint> {
  const q = parseQuantity(text);
  if (!q.ok) throw new Error(`quantity("${text}"): ${q.error}`);
  return new Map([[NANOS, q.quantity.nanos]]);
}

const nanos = (q: { get(k: string): unknown }) => q.get(NANOS) as bigint;
const compare = (a: bigint, b: bigint) => (a < b ? -1n : a > b ? 1n : 0n);

export const KUBERNETES_FUNCS = [
  ...strings,
  celFunc("quantity", [CelScalar.STRING], QUANTITY, quantity),
  celFunc("isQuantity", [CelScalar.STRING], CelScalar.BOOL, (s) => parseQuantity(s).ok),
  celMethod("sign", QUANTITY, [], CelScalar.INT, function () {
    return compare(nanos(this), 0n);
  }),
  celMethod("isLessThan", QUANTITY, [QUANTITY], CelScalar.BOOL, function (o) {
    return nanos(this) < nanos(o);
  }),
  celMethod("isGreaterThan", QUANTITY, [QUANTITY], CelScalar.BOOL, function (o) {
    return nanos(this) > nanos(o);
  }),
  celMethod("compareTo", QUANTITY, [QUANTITY], CelScalar.INT, function (o) {
    return compare(nanos(this), nanos(o));
  }),
  celMethod("asApproximateFloat", QUANTITY, [], CelScalar.DOUBLE, function () {
    return Number(nanos(this)) / 1e9;
  }),
];

const compiled = new Map<string, RE2JS>();
// @bufbuild/cel compiles a `matches` pattern on every call; the policies use a handful of patterns, so keep them.
const re2 = { compile: (pattern: string) => compiled.get(pattern) ?? compiled.set(pattern, RE2JS.compile(pattern)).get(pattern)! };
const env = celEnv({ funcs: KUBERNETES_FUNCS, re2 });
const planned = new Map<string, ReturnType<typeof plan>>();

/** Evaluates one CEL expression; a CEL error is thrown with the expression it came from. */
export function evalCel(expression: string, bindings: Record<string, unknown>): CelValue {
  let fn = planned.get(expression);
  if (!fn) {
    fn = plan(env, parse(expression));
    planned.set(expression, fn);
  }
  const result = fn(bindings as never);
  if (isCelError(result)) throw new Error(`CEL error: ${result.message}\n  in: ${expression.slice(0, 300)}`);
  return result;
}

/** JSON → CEL input: objects become maps, whole numbers ints (as the API server's typed objects hold them). */
export function toCel(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toCel);
  if (v !== null && typeof v === "object") return new Map(Object.entries(v).map(([k, x]) => [k, toCel(x)]));
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  return v;
}

export interface Admission {
  /** False when a matchCondition excluded the object (then nothing below was evaluated). */
  matched: boolean;
  allowed: boolean;
  /** Names of the containers the policy's `offending` variable lists, after `<pod>` when the pod's own fields offend. */
  offending: string[];
  messages: string[];
}

/** Admits `object` under each policy, as one request would be: the object is converted to CEL once. */
export function admitAll(policies: readonly ValidatingAdmissionPolicy[], object: unknown, params: unknown): Admission[] {
  const bindings: Record<string, unknown> = { object: toCel(object), params: toCel(params), variables: new Map() };
  return policies.map((policy) => admitConverted(policy, bindings));
}

export function admit(policy: ValidatingAdmissionPolicy, object: unknown, params: unknown): Admission {
  return admitAll([policy], object, params)[0];
}

function admitConverted(policy: ValidatingAdmissionPolicy, bindings: Record<string, unknown>): Admission {
  const spec = policy.spec!;
  for (const condition of spec.matchConditions ?? []) {
    if (evalCel(condition.expression, bindings) !== true) return { matched: false, allowed: true, offending: [], messages: [] };
  }
  const variables = new Map<string, unknown>();
  for (const v of spec.variables ?? []) {
    variables.set(v.name, evalCel(v.expression, { ...bindings, variables }));
  }
  const scope = { ...bindings, variables };
  const messages: string[] = [];
  for (const validation of spec.validations ?? []) {
    if (evalCel(validation.expression, scope) !== true)
      messages.push(String(evalCel(validation.messageExpression ?? `'${validation.message}'`, scope)));
  }
  const containers = [...(variables.get("offending") as Iterable<{ get(k: string): unknown }>)].map((c) => String(c.get("name")));
  // The rule core reports the pod's own fields first, without a container: "<pod>" stands for them.
  const offending = variables.get("podOffends") === true ? ["<pod>", ...containers] : containers;
  return { matched: true, allowed: messages.length === 0, offending, messages };
}
