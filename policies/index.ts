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
import { decodeRequestInputsInPack } from "./request-inputs";
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
 * Each policy's configuration as it last had it, by the rule's place in RULES: one object while it
 * stays the same, as the SDK hands out a fresh copy on every call and the rules remember what they
 * derive from a configuration object; its text tells a change.
 */
interface Configured {
  text: string;
  config: RuleConfigs[RuleId];
}
const NO_CONFIG: Configured = { text: "{}", config: Object.freeze({}) };
const configured: Configured[] = RULES.map(() => NO_CONFIG);

/** Every rule's configuration as the rule core takes it, with their texts; rebuilt only when one changes. */
interface Configs {
  config: RuleConfigs;
  texts: readonly string[];
}
let lastConfigs: Configs | undefined;

function configOf(args: ResourceValidationArgs, index: number): Configured {
  const config = args.getConfig<RuleConfigs[RuleId]>();
  const text = isEmpty(config) ? "{}" : JSON.stringify(config);
  if (configured[index].text === text) return configured[index];
  configured[index] = { text, config };
  lastConfigs = undefined;
  return configured[index];
}

function isEmpty(config: object): boolean {
  for (const _ in config) return false;
  return true;
}

function ruleConfigs(): Configs {
  if (!lastConfigs) {
    const config: Record<string, unknown> = {};
    RULES.forEach((r, i) => {
      config[r.id] = configured[i].config;
    });
    lastConfigs = { config: config as unknown as RuleConfigs, texts: configured.map((c) => c.text) };
  }
  return lastConfigs;
}

/**
 * Each resource is judged once for all the pack's policies: the first policy to meet a request runs
 * every rule, each with the configuration its policy last had; each policy then takes its share,
 * judged again on its own only where its configuration has changed since. A judgement is kept per
 * request (the one conversion of its inputs all its policies share, ./shared-inputs) and forgotten
 * with it.
 */
interface Judgement {
  /** The configuration texts the rules ran with, by rule. */
  texts: readonly string[];
  /** The findings, by rule. */
  byRule: readonly (readonly Finding[])[];
}
const judgements = new WeakMap<object, Judgement>();

const NONE: readonly Finding[] = Object.freeze([]);
const NOTHING_FOUND: readonly (readonly Finding[])[] = Object.freeze(RULES.map(() => NONE));
const RULE_INDEX = new Map<RuleId, number>(RULES.map((r, i) => [r.id, i]));
/** Each rule alone, as the rule core's runner takes a list of rules. */
const ALONE: readonly (readonly Rule[])[] = RULES.map((r) => [r]);

function findings(args: ResourceValidationArgs, index: number): readonly Finding[] {
  const mine = configOf(args, index);
  const request = requestOf(args);
  let judgement = request && judgements.get(request);
  if (!judgement) {
    const configs = ruleConfigs();
    judgement = { texts: configs.texts, byRule: judgeAll(args, rawProps(args), configs.config) };
    if (request) judgements.set(request, judgement);
  }
  if (judgement.texts[index] === mine.text) return judgement.byRule[index];
  return judgeAlone(args, rawProps(args), index, ruleConfigs().config);
}

/**
 * The request a call belongs to: what the SDK wrapped in this call's proxy, which is the request's
 * one conversion of its inputs, shared by all its policies. Read with one trap of the proxy, where
 * unwrapping to the inputs takes four; `rawProps` unwraps once per request.
 */
function requestOf(args: { props: Record<string, unknown> }): object | undefined {
  const props: unknown = args.props;
  if (props === null || typeof props !== "object") return undefined;
  const wrapped: unknown = (props as Record<string, unknown>).__getSpecialProxyTarget;
  return wrapped !== null && typeof wrapped === "object" ? wrapped : props;
}

/** Every rule's findings on `inputs`, by rule: the rule core runs once per pod template for all of them. */
function judgeAll(args: ResourceValidationArgs, inputs: unknown, config: RuleConfigs): readonly (readonly Finding[])[] {
  let templates: PodTemplate[];
  try {
    templates = podTemplates(inputs, { typeToken: args.type, name: args.name });
  } catch {
    return RULES.map((_, i) => judgeAlone(args, inputs, i, config));
  }
  let byRule: Finding[][] | undefined;
  for (const t of templates) {
    for (const f of checkTemplate(t, RULES, config)) {
      // Every rule reports under its own id, except that the runner reports a rule that throws as
      // spec-readable. A spec-readable finding may be either, so then each rule runs alone, and a
      // rule that threw is reported by its own policy.
      if (f.rule === "spec-readable") return RULES.map((_, i) => judgeAlone(args, inputs, i, config));
      byRule ??= RULES.map(() => []);
      byRule[RULE_INDEX.get(f.rule)!].push(f);
    }
  }
  return byRule ?? NOTHING_FOUND;
}

/** The findings of one rule on `inputs`. */
function judgeAlone(args: ResourceValidationArgs, inputs: unknown, index: number, config: RuleConfigs): readonly Finding[] {
  let templates: PodTemplate[];
  try {
    templates = podTemplates(inputs, { typeToken: args.type, name: args.name });
  } catch {
    // The templates could not be read: the rule core's own pass says why, as a finding.
    return checkObject(inputs, { typeToken: args.type, name: args.name, rules: [RULES[index].id], config });
  }
  const found: Finding[] = [];
  for (const t of templates) for (const f of checkTemplate(t, ALONE[index], config)) found.push(f);
  return found;
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

function validate(index: number) {
  return (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
    if (!isWorkload(args.type)) return;
    try {
      for (const f of findings(args, index)) reportViolation(`${f.container ? `[${f.container}] ` : ""}${formatFinding(f)}`, args.urn);
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

export const policies: ResourceValidationPolicy[] = RULES.map((rule, index) => ({
  name: rule.id,
  // The engine prefixes every violation with this, so it stays one short line.
  description: rule.title,
  enforcementLevel: rule.defaultLevel,
  severity: rule.severity,
  configSchema: { properties: rule.configSchema.properties as never },
  validateResource: validate(index),
  ...(rule.id === "resources-required" ? { remediateResource: remediate } : {}),
}));

shareInputConversion();
decodeRequestInputsInPack();
new PolicyPack("crashguard", { policies });
