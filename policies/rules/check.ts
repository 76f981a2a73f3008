/** The runner: the rules over every pod template of any object, with exemptions and excluded namespaces applied. */
import { type Finding, type PodTemplate, RULE_IDS, type Rule, type RuleConfigs, type RuleId } from "./types";
import { podTemplates, type TemplateOptions } from "./workload";
import { isExempt, parseExemptions } from "./exemptions";
import { RULES } from "./registry";

export type Configs = { [K in RuleId]?: RuleConfigs[K] };

export interface CheckOptions extends TemplateOptions {
  /** Per-rule configuration, the same shape as the pack's policy config. */
  config?: Configs;
  /** Only run these rules (default: all). */
  rules?: readonly RuleId[];
}

// One object for "no configuration", so what a rule derives from its configuration can be remembered.
const NO_CONFIG = Object.freeze({});

/** Run the rules over every pod template in `obj`. Never throws. */
export function checkObject(obj: unknown, options: CheckOptions = {}): Finding[] {
  let templates: PodTemplate[];
  try {
    templates = podTemplates(obj, options);
  } catch (err) {
    return [unreadable(options.name ?? "object", "", err)];
  }
  const selected = options.rules ? RULES.filter((r) => options.rules!.includes(r.id)) : RULES;
  const config = options.config ?? NO_CONFIG;
  if (templates.length === 1) return checkTemplate(templates[0], selected, config); // most objects hold one
  const findings: Finding[] = [];
  // A loop, not push(...spread): spreading a huge array overflows the call stack.
  for (const template of templates) for (const f of checkTemplate(template, selected, config)) findings.push(f);
  return findings;
}

export function checkTemplate(template: PodTemplate, rules: readonly Rule[], config: Configs): Finding[] {
  const findings: Finding[] = [];
  const exemptions = parseExemptions(template, RULE_IDS);
  for (const rule of rules) {
    const cfg = (config[rule.id] ?? NO_CONFIG) as RuleConfigs[RuleId];
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
