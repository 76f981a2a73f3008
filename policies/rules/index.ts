/**
 * The rule core: every rule, registered once, and the one function that runs them over any
 * object. The pack, the components, `crashguard lint` and `diagnose` are adapters around this.
 */
import { Finding, PodTemplate, Rule, RuleConfigs, RuleId } from "./types";
import { EXEMPT_ANNOTATION, podTemplates, TemplateOptions } from "./workload";
import { join } from "./read";
import { isExempt, parseExemptions } from "./exemptions";
import { resourcesRequired, resourceValuesValid } from "./resources";
import { livenessProbeRequired, probeSanity, readinessProbeRequired } from "./probes";
import { imagePinned } from "./image-pinned";
import { commonSchema } from "./schema";
import { RULE_DEFAULTS } from "./defaults";
import type { RuleCel } from "./cel";
import { resourceValuesValidCel, resourcesRequiredCel } from "./resources.cel";
import { livenessProbeRequiredCel, readinessProbeRequiredCel } from "./probes.cel";

export type {
  RuleId, Level, Severity, Finding, ContainerKind, ContainerRef, PodTemplate, Rule, RuleConfigs, CommonConfig, ResourcesRequiredConfig,
  ResourceValuesConfig, ProbeRequiredConfig, ProbeSanityConfig, ImagePinnedConfig,
} from "./types";
export { parseQuantity, compareQuantities } from "./quantity";
export { podTemplates, isWorkloadType, parseTypeToken, EXEMPT_ANNOTATION, WORKLOAD_KINDS } from "./workload";
export { firstPort } from "./fixes";
export { SUGGESTED_RESOURCES, SUGGESTED_PROBE_TIMINGS, PROBE_DEFAULTS, DEFAULT_EXCLUDED_NAMESPACES, RULE_DEFAULTS, resourceValues, type ResourceValues } from "./defaults";
export { notCoveredByPod, resourcesToFill } from "./resources";
export { isUnknown } from "./read";

const specReadable: Rule<"spec-readable"> = {
  id: "spec-readable",
  title: "Workload spec can be read",
  description: "Containers are a list of objects and the fields the other rules read have the right shape; a spec the rules cannot read is a spec they cannot vouch for.",
  defaultLevel: "mandatory",
  severity: "high",
  defaults: RULE_DEFAULTS["spec-readable"],
  configSchema: { properties: commonSchema },
  check: (template) =>
    template.problems.map((p) => ({ rule: "spec-readable", severity: "high", resource: template.resource, container: p.container, path: p.path, message: p.message })),
};

const exemptionValid: Rule<"exemption-valid"> = {
  id: "exemption-valid",
  title: "Exemptions name known rules and give a reason",
  description: 'The crashguard.dev/exempt annotation reads "<rule-id>[,<rule-id>]: <reason>"; an exemption without a reason, or naming an unknown rule, is ignored and reported.',
  defaultLevel: "mandatory",
  severity: "medium",
  defaults: RULE_DEFAULTS["exemption-valid"],
  configSchema: { properties: commonSchema },
  check: (template) =>
    parseExemptions(template, RULE_IDS).problems.map((message) => ({
      rule: "exemption-valid", severity: "medium", resource: template.resource, path: annotationPath(template), message,
    })),
};

/** Every rule, in the order findings are reported. */
export const RULES: readonly Rule[] = [
  specReadable,
  resourcesRequired,
  resourceValuesValid,
  readinessProbeRequired,
  livenessProbeRequired,
  probeSanity,
  imagePinned,
  exemptionValid,
] as Rule[];

export const RULE_IDS: readonly RuleId[] = RULES.map((r) => r.id);

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}

export type Configs = { [K in RuleId]?: RuleConfigs[K] };

export interface CheckOptions extends TemplateOptions {
  /** Per-rule configuration, the same shape as the pack's policy config. */
  config?: Configs;
  /** Only run these rules (default: all). */
  rules?: readonly RuleId[];
}

/** Run the rules over every pod template in `obj`. Never throws. */
export function checkObject(obj: unknown, options: CheckOptions = {}): Finding[] {
  let templates: PodTemplate[];
  try {
    templates = podTemplates(obj, options);
  } catch (err) {
    return [unreadable(options.name ?? "object", "", err)];
  }
  const findings: Finding[] = [];
  const selected = options.rules ? RULES.filter((r) => options.rules!.includes(r.id)) : RULES;
  // A loop, not push(...spread): spreading a huge array overflows the call stack.
  for (const template of templates) for (const f of checkTemplate(template, selected, options.config ?? {})) findings.push(f);
  return findings;
}

export function checkTemplate(template: PodTemplate, rules: readonly Rule[], config: Configs): Finding[] {
  const findings: Finding[] = [];
  const exemptions = parseExemptions(template, RULE_IDS);
  for (const rule of rules) {
    const cfg = (config[rule.id] ?? {}) as RuleConfigs[RuleId];
    const excluded = cfg.excludeNamespaces ?? rule.defaults.excludeNamespaces;
    // Exact names only: a string here (unvalidated config) must not exempt every namespace it contains.
    if (template.namespace !== undefined && Array.isArray(excluded) && excluded.includes(template.namespace)) continue;
    if (isExempt(exemptions, rule.id)) continue;
    try {
      for (const f of (rule.check as (t: PodTemplate, c: unknown) => Finding[])(template, cfg)) findings.push(f);
    } catch (err) {
      // The rules are written never to throw; if one does, the user still gets an answer, not a broken preview.
      findings.push(unreadable(template.resource, template.specPath, err));
    }
  }
  return findings;
}

function unreadable(resource: string, path: string, err: unknown): Finding {
  return {
    rule: "spec-readable",
    severity: "high",
    resource,
    path,
    message: `crashguard could not read ${resource}${path ? ` at ${path}` : ""}: ${err instanceof Error ? err.message : String(err)}`,
  };
}

function annotationPath(template: PodTemplate): string {
  return join(join(join(template.path, "metadata"), "annotations"), EXEMPT_ANNOTATION);
}
export { formatFinding } from "./format";

export { exemptionPattern } from "./exemptions";
export { WORKLOADS } from "./workload";
export { celString, type RuleCel } from "./cel";

/** The rules that can be enforced in-cluster, each with its CEL (the admission-policy generator reads this). */
export const CEL_RULES: { [K in RuleId]?: RuleCel<RuleConfigs[K]> } = {
  "resources-required": resourcesRequiredCel,
  "resource-values-valid": resourceValuesValidCel,
  "readiness-probe-required": readinessProbeRequiredCel,
  "liveness-probe-required": livenessProbeRequiredCel,
};
