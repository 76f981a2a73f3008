/**
 * The pack's configuration file — the JSON users pass to `pulumi preview --policy-pack-config` —
 * read the way the Pulumi CLI reads it, so `crashguard check` and `crashguard lint` honour the
 * very same file:
 *
 *   { "all": "advisory", "probe-sanity": "mandatory", "resources-required": { "requireCpuLimit": true } }
 */
import * as fs from "fs";
import { Configs, Level, RULES, RuleId } from "../policies/rules";

export type PolicyConfigValue = Level | ({ enforcementLevel?: Level } & Record<string, unknown>);
export type PolicyConfigFile = Record<string, PolicyConfigValue>;

const LEVELS: Level[] = ["advisory", "mandatory", "remediate", "disabled"];

export class PolicyConfigError extends Error {}

export function readPolicyConfig(file: string): PolicyConfigFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new PolicyConfigError(`${file}: ${(err as Error).message}`);
  }
  return validPolicyConfig(parsed, file);
}

/** `parsed` as a policy config, or a PolicyConfigError naming where it came from (`file`) and what to write instead. */
export function validPolicyConfig(parsed: unknown, file: string): PolicyConfigFile {
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new PolicyConfigError(`${file}: expected an object keyed by policy name, e.g. {"probe-sanity": "mandatory"}`);
  }
  for (const [policy, value] of Object.entries(parsed)) {
    const level = typeof value === "string" ? value : (value as { enforcementLevel?: unknown } | null)?.enforcementLevel;
    if (typeof value !== "string" && (typeof value !== "object" || value === null || Array.isArray(value))) {
      throw new PolicyConfigError(`${file}: "${policy}" must be a level (${LEVELS.join(", ")}) or an object of options`);
    }
    if (level !== undefined && !LEVELS.includes(level as Level)) {
      throw new PolicyConfigError(`${file}: "${policy}" has enforcement level ${JSON.stringify(level)}; use one of ${LEVELS.join(", ")}`);
    }
  }
  return parsed as PolicyConfigFile;
}

/** `"all": level` sets every policy's level, as the Pulumi CLI reads it; a policy's own entry wins. */
export function expandAll(config: PolicyConfigFile, policies: readonly string[]): PolicyConfigFile {
  const { all, ...named } = config;
  if (all === undefined) return named;
  const level = typeof all === "string" ? all : all.enforcementLevel;
  if (!level) return named;
  const out: PolicyConfigFile = {};
  for (const p of policies) out[p] = level;
  for (const [k, v] of Object.entries(named)) out[k] = typeof v === "string" || v.enforcementLevel ? v : { ...v, enforcementLevel: level };
  return out;
}

/** Each rule's effective level and options, for running the rule core outside the pack. */
export function ruleSettings(config: PolicyConfigFile): { levels: Record<RuleId, Level>; configs: Configs } {
  const expanded = expandAll(config, RULES.map((r) => r.id));
  const levels = {} as Record<RuleId, Level>;
  const configs: Configs = {};
  for (const rule of RULES) {
    const value = expanded[rule.id];
    levels[rule.id] = (typeof value === "string" ? value : value?.enforcementLevel) ?? rule.defaultLevel;
    if (typeof value === "object") {
      const { enforcementLevel: _level, ...options } = value;
      (configs as Record<string, unknown>)[rule.id] = options;
    }
  }
  return { levels, configs };
}
