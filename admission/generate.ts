/**
 * ValidatingAdmissionPolicies (admissionregistration.k8s.io/v1, Kubernetes ≥ 1.30) generated from
 * the rule core: one policy and one binding per rule that carries CEL, so kubectl, Helm and Argo CD
 * meet the same rules `pulumi preview` enforces. What CEL cannot express is listed in docs/admission.md.
 * https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/
 */
import type {
  NamedRuleWithOperations,
  ValidatingAdmissionPolicy,
  ValidatingAdmissionPolicyBinding,
} from "kubernetes-types/admissionregistration/v1";
import type { ConfigMap } from "kubernetes-types/core/v1";
import {
  CEL_RULES,
  type Configs,
  DEFAULT_EXCLUDED_NAMESPACES,
  type Level,
  RULES,
  type RuleCel,
  type RuleId,
  celString,
  exemptionPattern,
} from "../policies/rules";
import { ADMITTED_KINDS, exemptAnnotationExpression, longRunningExpression, podSpecExpression } from "./workloads.cel";

/** The oldest Kubernetes that serves admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy (GA in 1.30). */
export const MIN_KUBERNETES_VERSION = "1.30";

export interface AdmissionSettings {
  /** Each rule's level, as the pack's policy config sets it; a rule left out gets its default level. */
  levels?: Partial<Record<RuleId, Level>>;
  /** Each rule's options, the same shape as the pack's policy config. */
  configs?: Configs;
  /** Namespace of the ConfigMap holding the bounds (default `kube-system`, which every cluster has). */
  paramNamespace?: string;
  /**
   * Also check objects a controller owns (a ReplicaSet's pods, a CronJob's Jobs). Default false: their
   * owner was checked with the same pod template when it was admitted, and an exemption written on the
   * owner does not reach them. See docs/admission.md for what a forged owner reference allows.
   */
  checkControllerOwned?: boolean;
}

export type AdmissionObject = ValidatingAdmissionPolicy | ValidatingAdmissionPolicyBinding | ConfigMap;

export const BOUNDS_CONFIGMAP = "crashguard-admission-bounds";
const PREFIX = "crashguard-";
const LABELS = { "app.kubernetes.io/managed-by": "crashguard" };

/** The generated objects, in the order to apply them: the bounds ConfigMap first, then each policy and its binding. Throws on a bad bound. */
export function admissionPolicies(settings: AdmissionSettings = {}): AdmissionObject[] {
  const paramNamespace = settings.paramNamespace ?? "kube-system";
  const params: Record<string, string> = {};
  const out: AdmissionObject[] = [];
  for (const rule of RULES) {
    const cel = CEL_RULES[rule.id] as RuleCel<unknown> | undefined;
    const level = settings.levels?.[rule.id] ?? rule.defaultLevel;
    if (!cel || level === "disabled") continue;
    const config = { ...rule.defaults, ...(settings.configs?.[rule.id] ?? {}) } as { excludeNamespaces?: string[] };
    if (cel.params) Object.assign(params, cel.params(config));
    out.push(policy(rule.id, level, cel, config, settings.checkControllerOwned ?? false));
    out.push(binding(rule.id, level, cel.params ? paramNamespace : undefined));
  }
  const usesParams = out.some((o) => o.kind === "ValidatingAdmissionPolicy" && (o as ValidatingAdmissionPolicy).spec?.paramKind);
  if (!usesParams) return out;
  const bounds: ConfigMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: BOUNDS_CONFIGMAP, namespace: paramNamespace, labels: LABELS },
    data: params,
  };
  return [bounds, ...out];
}

function policy(
  id: RuleId,
  level: Level,
  cel: RuleCel<unknown>,
  config: { excludeNamespaces?: string[] },
  checkControllerOwned: boolean,
): ValidatingAdmissionPolicy {
  const excluded = config.excludeNamespaces ?? DEFAULT_EXCLUDED_NAMESPACES;
  const offending = `(${cel.containers(config)}).filter(c, ${cel.violation(config)})`;
  const matchConditions = [
    {
      name: "namespace-not-excluded",
      expression: `!has(object.metadata.namespace) || !(object.metadata.namespace in [${excluded.map(celString).join(", ")}])`,
    },
    { name: "not-exempt", expression: `!(${exemptAnnotationExpression()}).matches(${celString(exemptionPattern(id))})` },
  ];
  if (!checkControllerOwned) {
    matchConditions.push({
      name: "not-controller-owned",
      expression: "!has(object.metadata.ownerReferences) || !object.metadata.ownerReferences.exists(r, has(r.controller) && r.controller)",
    });
  }
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicy",
    metadata: { name: PREFIX + id, labels: LABELS },
    spec: {
      // An advisory rule must never block: if its CEL fails (cost, a surprise in the object), let the request through.
      failurePolicy: level === "advisory" ? "Ignore" : "Fail",
      ...(cel.params ? { paramKind: { apiVersion: "v1", kind: "ConfigMap" } } : {}),
      matchConstraints: { resourceRules: resourceRules() },
      matchConditions,
      variables: [
        { name: "podSpec", expression: podSpecExpression() },
        {
          name: "containers",
          expression: "variables.podSpec != null && has(variables.podSpec.containers) ? variables.podSpec.containers : []",
        },
        {
          name: "initContainers",
          expression: "variables.podSpec != null && has(variables.podSpec.initContainers) ? variables.podSpec.initContainers : []",
        },
        { name: "sidecars", expression: "variables.initContainers.filter(c, has(c.restartPolicy) && c.restartPolicy == 'Always')" },
        { name: "allContainers", expression: "variables.containers + variables.initContainers" },
        { name: "longRunning", expression: longRunningExpression() },
        { name: "offending", expression: cel.applies ? `${cel.applies} ? ${offending} : []` : offending },
        ...(cel.podViolation ? [{ name: "podOffends", expression: `variables.podSpec != null && (${cel.podViolation(config)})` }] : []),
      ],
      validations: [
        ...(cel.podViolation
          ? [
              {
                expression: "!variables.podOffends",
                message: `crashguard ${id}: the pod's own spec.resources breaks this rule; run \`crashguard lint\` on the manifest for the details and the fix`,
                messageExpression: podMessageExpression(id, cel),
                reason: "Invalid" as const,
              },
            ]
          : []),
        {
          expression: "size(variables.offending) == 0",
          message: `crashguard ${id}: a container breaks this rule; run \`crashguard lint\` on the manifest for the details and the fix`,
          messageExpression: messageExpression(id, cel, config),
          reason: "Invalid",
        },
      ],
    },
  };
}

const OBJECT_NAME =
  "object.kind + ' ' + (has(object.metadata.namespace) ? object.metadata.namespace + '/' : '') + " +
  "(has(object.metadata.name) ? object.metadata.name : object.metadata.generateName)";

function podMessageExpression(id: RuleId, cel: RuleCel<unknown>): string {
  return [
    celString(`crashguard ${id}: `),
    OBJECT_NAME,
    celString(`: ${cel.podProblem}; or exempt it with the annotation crashguard.dev/exempt: "${id}: <reason>"`),
  ].join(" + ");
}

function messageExpression(id: RuleId, cel: RuleCel<unknown>, config: unknown): string {
  return [
    celString(`crashguard ${id}: `),
    OBJECT_NAME,
    celString(`: ${cel.problem} in container `),
    "variables.offending.map(c, c.name).join(', ')",
    celString(`. Fix: ${cel.fix(config)}; or exempt it with the annotation crashguard.dev/exempt: "${id}: <reason>"`),
  ].join(" + ");
}

function binding(id: RuleId, level: Level, paramNamespace: string | undefined): ValidatingAdmissionPolicyBinding {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicyBinding",
    metadata: { name: PREFIX + id, labels: LABELS },
    spec: {
      policyName: PREFIX + id,
      // remediate has no in-cluster twin (a ValidatingAdmissionPolicy cannot change the object), so it blocks like mandatory.
      validationActions: level === "advisory" ? ["Warn", "Audit"] : ["Deny"],
      ...(paramNamespace ? { paramRef: { name: BOUNDS_CONFIGMAP, namespace: paramNamespace, parameterNotFoundAction: "Deny" } } : {}),
    },
  };
}

/**
 * `matchConstraints.resourceRules`; typed by hand because kubernetes-types 1.30.0 leaves out the
 * `resources` and `scope` fields NamedRuleWithOperations inlines from Rule
 * (https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/validating-admission-policy-v1/).
 */
function resourceRules(): Array<NamedRuleWithOperations & { resources: string[] }> {
  const groups = new Map<string, { group: string; version: string; resources: string[] }>();
  for (const k of ADMITTED_KINDS) {
    const id = `${k.group}/${k.version}`;
    if (!groups.has(id)) groups.set(id, { group: k.group, version: k.version, resources: [] });
    groups.get(id)!.resources.push(k.resource);
  }
  return [...groups.values()].map((g) => ({
    apiGroups: [g.group],
    apiVersions: [g.version],
    operations: ["CREATE", "UPDATE"],
    resources: g.resources,
  }));
}
