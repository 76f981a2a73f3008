/**
 * crashguard's CrossGuard policy pack: one policy per rule of the rule core, so each can be set to
 * mandatory, advisory, remediate or disabled on its own with `--policy-pack-config`.
 *
 *   pulumi preview --policy-pack ./policies [--policy-pack-config crashguard.json]
 */
import { PolicyPack, type ReportViolation, type ResourceValidationArgs, type ResourceValidationPolicy } from "@pulumi/policy";
import {
  type Finding,
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
 * Inputs as the engine sent them: unknowns as Pulumi's sentinels (which the rules skip) and secrets
 * still marked (./shared-inputs), which the rules neither judge nor print, and a remediated resource
 * keeps secret.
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
 * Each resource is judged once for all the pack's policies: the first policy to meet a request's
 * inputs (one object for all of them, ./shared-inputs) runs every rule, each with the configuration
 * its policy last had; each policy then takes its share, judged again on its own only where its
 * configuration has changed since. The shares are forgotten with the request.
 */
type Shares = Map<RuleId, { config: string; findings: Finding[] }>;
const sharesByInputs = new WeakMap<object, Shares>();

/**
 * Each policy's configuration as one object while it stays the same: the SDK hands out a fresh copy
 * on every call, and the rules remember what they derive from a configuration object.
 */
const configs = new Map<RuleId, { text: string; config: RuleConfigs[RuleId] }>();
/** Every rule's last configuration as the rule core takes it, rebuilt only when one changes. */
let lastConfigs: RuleConfigs | undefined;

function configOf(args: ResourceValidationArgs, rule: RuleId): { text: string; config: RuleConfigs[RuleId] } {
  const config = args.getConfig<RuleConfigs[RuleId]>();
  const text = isEmpty(config) ? "{}" : JSON.stringify(config);
  const known = configs.get(rule);
  if (known?.text === text) return known;
  const fresh = { text, config };
  configs.set(rule, fresh);
  lastConfigs = undefined;
  return fresh;
}

function isEmpty(config: object): boolean {
  for (const _ in config) return false;
  return true;
}

function ruleConfigs(): RuleConfigs {
  if (!lastConfigs) {
    const all: Record<string, unknown> = {};
    for (const r of RULES) all[r.id] = configs.get(r.id)?.config ?? {};
    lastConfigs = all as unknown as RuleConfigs;
  }
  return lastConfigs;
}

function findings(args: ResourceValidationArgs, rule: Rule): Finding[] {
  const inputs = rawProps(args);
  const mine = configOf(args, rule.id);
  if (inputs === null || typeof inputs !== "object") return judge(args, inputs, [rule]).get(rule.id)?.findings ?? [];
  let shares = sharesByInputs.get(inputs);
  if (!shares) {
    shares = judge(args, inputs, RULES);
    sharesByInputs.set(inputs, shares);
  }
  let share = shares.get(rule.id);
  if (share?.config !== mine.text) {
    share = judge(args, inputs, [rule]).get(rule.id)!;
    shares.set(rule.id, share);
  }
  return share.findings;
}

/** The findings of `rules` on `inputs`, each rule with its policy's last known configuration. */
function judge(args: ResourceValidationArgs, inputs: unknown, rules: readonly Rule[]): Shares {
  const config = ruleConfigs();
  const shares: Shares = new Map();
  for (const r of rules) shares.set(r.id, { config: configs.get(r.id)?.text ?? "{}", findings: [] });
  const take = (rule: RuleId, found: Finding[]) => {
    if (found.length === 0) return;
    const mine = shares.get(rule)!.findings;
    for (const f of found) mine.push(f);
  };
  let templates: PodTemplate[];
  try {
    templates = podTemplates(inputs, { typeToken: args.type, name: args.name });
  } catch {
    // The templates could not be read: the rule core's own pass says why, as a finding.
    for (const r of rules) take(r.id, checkObject(inputs, { typeToken: args.type, name: args.name, rules: [r.id], config }));
    return shares;
  }
  for (const t of templates) for (const r of rules) take(r.id, checkTemplate(t, [r], config));
  return shares;
}

/**
 * Whether the rules read resources of this type, remembered per type (every policy asks for every
 * resource); a stack has a few hundred types at most, the bound only keeps odd input from growing it.
 */
const workloadTypes = new Map<string, boolean>();
const MAX_TYPES_KEPT = 4096;

function isWorkload(type: string): boolean {
  let known = workloadTypes.get(type);
  if (known === undefined) {
    known = isWorkloadType(type);
    if (workloadTypes.size >= MAX_TYPES_KEPT) workloadTypes.clear();
    workloadTypes.set(type, known);
  }
  return known;
}

function validate(rule: Rule) {
  return (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
    if (!isWorkload(args.type)) return;
    try {
      for (const f of findings(args, rule)) reportViolation(`${f.container ? `[${f.container}] ` : ""}${formatFinding(f)}`, args.urn);
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
  if (!isWorkload(args.type)) return undefined;
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
