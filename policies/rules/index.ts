/**
 * The rule core: pure rules over any object, and the one function that runs them. The pack, the
 * components, `crashguard lint` and `diagnose` are adapters around this. The registry is
 * `registry.ts`, the runner `check.ts`, each rule family its own module.
 */
export {
  RULE_IDS,
  type RuleId,
  type Level,
  type Severity,
  type Finding,
  type ContainerKind,
  type ContainerRef,
  type PodTemplate,
  type Rule,
  type RuleConfigs,
  type CommonConfig,
  type ResourcesRequiredConfig,
  type ResourceValuesConfig,
  type ProbeRequiredConfig,
  type ProbeSanityConfig,
  type ImagePinnedConfig,
} from "./types";
export { RULES, ruleById, CEL_RULES } from "./registry";
export { checkObject, checkTemplate, type CheckOptions, type Configs } from "./check";
export { parseQuantity, compareQuantities } from "./quantity";
export { podTemplates, isWorkloadType, parseTypeToken, EXEMPT_ANNOTATION, WORKLOAD_KINDS, WORKLOADS } from "./workload";
export { firstPort } from "./fixes";
export {
  SUGGESTED_RESOURCES,
  SUGGESTED_PROBE_TIMINGS,
  PROBE_DEFAULTS,
  DEFAULT_EXCLUDED_NAMESPACES,
  RULE_DEFAULTS,
  resourceValues,
  type ResourceValues,
} from "./defaults";
export { notCoveredByPod, resourcesToFill } from "./resources";
export { isUnknown } from "./read";
export { formatFinding } from "./format";
export { exemptionPattern } from "./exemptions";
export { celString, type RuleCel } from "./cel";
