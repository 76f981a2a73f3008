/**
 * crashguard's CrossGuard policy pack: one policy per rule of the rule core, so each can be set to
 * mandatory, advisory, remediate or disabled on its own with `--policy-pack-config`.
 *
 *   pulumi preview --policy-pack ./policies [--policy-pack-config crashguard.json]
 */
import { PolicyPack, type ReportViolation, type ResourceValidationArgs, type ResourceValidationPolicy } from "@pulumi/policy";
import {
  type PodTemplate,
  RULES,
  type Rule,
  type RuleConfigs,
  type RuleId,
  checkObject,
  checkTemplate,
  formatFinding,
  isWorkloadType,
  podTemplates,
} from "./rules";
import { fillMissingResources } from "./remediate";
import { shareInputConversion } from "./shared-inputs";

/**
 * Inputs as the engine sent them: unknowns as Pulumi's sentinels (which the rules skip) and, for
 * remediation, secrets still wrapped so a rewritten resource keeps them secret.
 */
function rawProps(args: { props: Record<string, unknown> }): unknown {
  // The SDK wraps props in proxies: one throws on the first unknown value it meets, one unwraps
  // secrets. The rules judge what is known and skip the rest, so they read the object underneath.
  let props: unknown = args.props;
  while (props !== null && typeof props === "object" && (props as Record<string, unknown>).__isSpecialProxy === true) {
    props = (props as Record<string, unknown>).__getSpecialProxyTarget;
  }
  return props;
}

/**
 * The pod templates of each resource being analyzed, read once for all the pack's policies: they
 * share one conversion of a request's inputs (./shared-inputs), so the templates are remembered
 * per inputs object and forgotten with the request.
 */
const templatesByInputs = new WeakMap<object, PodTemplate[]>();

function templatesFor(args: ResourceValidationArgs): PodTemplate[] {
  const inputs = rawProps(args);
  const known = inputs !== null && typeof inputs === "object" ? templatesByInputs.get(inputs) : undefined;
  if (known) return known;
  const templates = podTemplates(inputs, { typeToken: args.type, name: args.name });
  if (inputs !== null && typeof inputs === "object") templatesByInputs.set(inputs, templates);
  return templates;
}

function findings(args: ResourceValidationArgs, rule: Rule, config: RuleConfigs[RuleId]) {
  const configs = { [rule.id]: config };
  try {
    return templatesFor(args).flatMap((t) => checkTemplate(t, [rule], configs));
  } catch {
    // The templates could not be read: the rule core's own pass says why, as a finding.
    return checkObject(rawProps(args), { typeToken: args.type, name: args.name, rules: [rule.id], config: configs });
  }
}

function validate(rule: Rule) {
  return (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
    if (!isWorkloadType(args.type)) return;
    try {
      for (const f of findings(args, rule, args.getConfig<RuleConfigs[RuleId]>()))
        reportViolation(`${f.container ? `[${f.container}] ` : ""}${formatFinding(f)}`, args.urn);
    } catch (err) {
      // Never break the user's preview: the rule core does not throw, but if it ever did, say so.
      reportViolation(
        `crashguard could not check this resource (${err instanceof Error ? err.message : String(err)}); please report it`,
        args.urn,
      );
    }
  };
}

function remediate(args: ResourceValidationArgs): Record<string, unknown> | undefined {
  if (!isWorkloadType(args.type)) return undefined;
  try {
    return fillMissingResources(rawProps(args), args.type, args.getConfig<RuleConfigs["resources-required"]>()) as
      | Record<string, unknown>
      | undefined;
  } catch {
    return undefined; // leave the resource as it was; the validator still reports what is missing
  }
}

export const policies: ResourceValidationPolicy[] = RULES.map((rule) => ({
  name: rule.id,
  // The engine prefixes every violation with this, so it stays one short line.
  description: rule.title,
  enforcementLevel: rule.defaultLevel,
  severity: rule.severity,
  configSchema: { properties: rule.configSchema.properties as never },
  validateResource: validate(rule),
  ...(rule.id === "resources-required" ? { remediateResource: remediate } : {}),
}));

shareInputConversion();
new PolicyPack("crashguard", { policies });
