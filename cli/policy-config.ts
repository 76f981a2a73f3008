/**
 * The pack's configuration file — the JSON users pass to `pulumi preview --policy-pack-config` —
 * read the way the Pulumi CLI reads it, so `crashguard check` and `crashguard lint` honour the
 * very same file:
 *
 *   { "all": "advisory", "probe-sanity": "mandatory", "resources-required": { "requireCpuLimit": true } }
 */
import { readFileSync } from "node:fs";
import type { ErrorObject, ValidateFunction } from "ajv";
import { type Configs, type Level, RULES, type RuleId } from "../policies/rules";
import { describeValue } from "../policies/rules/read";
import { QUANTITY_PATTERN } from "../policies/rules/schema";

export type PolicyConfigValue = Level | ({ enforcementLevel?: Level } & Record<string, unknown>);
export type PolicyConfigFile = Record<string, PolicyConfigValue>;

const LEVELS: Level[] = ["advisory", "mandatory", "remediate", "disabled"];

export class PolicyConfigError extends Error {}

/**
 * Each policy's options checked against the very `configSchema` the pack publishes (the Pulumi
 * CLI validates `--policy-pack-config` against it too), by Ajv, a complete JSON Schema validator,
 * so a keyword a rule adds to its schema is enforced here without a second copy of the rules.
 * Unlike the CLI, an option no schema names is an error: a misspelt option would silently do nothing.
 * Ajv is loaded on first use, and each policy's schema compiled the first time a file names that
 * policy: loading and compiling cost more than the rest of `lint`'s start, a run without a config
 * file never needs them, and a file names a few policies.
 */
let ajv: import("ajv").default | undefined;
const compiled = new Map<string, ValidateFunction>();

function validatorFor(policy: string): ValidateFunction | undefined {
  const rule = RULES.find((r) => r.id === policy);
  if (!rule) return undefined;
  let validate = compiled.get(policy);
  if (!validate) {
    if (!ajv) {
      const { default: Ajv } = require("ajv") as typeof import("ajv");
      ajv = new Ajv({ strict: false, verbose: true });
    }
    validate = ajv.compile({
      type: "object",
      properties: { ...rule.configSchema.properties, enforcementLevel: { enum: LEVELS } },
      additionalProperties: false,
    });
    compiled.set(policy, validate);
  }
  return validate;
}

export function readPolicyConfig(file: string): PolicyConfigFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new PolicyConfigError(`${file}: ${(err as Error).message}`);
  }
  return validatePolicyConfig(parsed, file);
}

/** The config file's object, checked policy by policy; errors name the file, the policy and the field. */
export function validatePolicyConfig(parsed: unknown, file: string): PolicyConfigFile {
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new PolicyConfigError(`${file}: expected an object keyed by policy name, e.g. {"probe-sanity": "mandatory"}`);
  }
  for (const [policy, value] of Object.entries(parsed)) {
    const validate = validatorFor(policy);
    if (!validate && policy !== "all")
      throw new PolicyConfigError(
        `${file}: there is no policy "${policy}" in the crashguard pack; policies: all, ${RULES.map((r) => r.id).join(", ")}`,
      );
    const level = typeof value === "string" ? value : (value as { enforcementLevel?: unknown } | null)?.enforcementLevel;
    if (typeof value !== "string" && (typeof value !== "object" || value === null || Array.isArray(value))) {
      throw new PolicyConfigError(`${file}: "${policy}" must be a level (${LEVELS.join(", ")}) or an object of options`);
    }
    if (level !== undefined && !LEVELS.includes(level as Level)) {
      throw new PolicyConfigError(`${file}: "${policy}" has enforcement level ${JSON.stringify(level)}; use one of ${LEVELS.join(", ")}`);
    }
    if (typeof value === "string") continue;
    if (!validate) {
      if (Object.keys(value).some((k) => k !== "enforcementLevel"))
        throw new PolicyConfigError(`${file}: "all" sets only enforcementLevel; put options under a policy's own name`);
    } else if (!validate(value)) {
      throw new PolicyConfigError(`${file}: ${explain(policy, value as Record<string, unknown>, validate.errors?.[0])}`);
    }
  }
  return parsed as PolicyConfigFile;
}

/** One Ajv error in the user's terms: the policy, the field path, what is wrong and what would do. */
function explain(policy: string, value: Record<string, unknown>, error: ErrorObject | undefined): string {
  if (!error) return `"${policy}" is not a valid configuration`;
  const segments = error.instancePath
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  const at = `"${policy}"${segments.map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s}`)).join("")}`;
  const got = segments.reduce<unknown>(
    (o, k) => (o !== null && typeof o === "object" && Object.hasOwn(o, k) ? (o as Record<string, unknown>)[k] : undefined),
    value,
  );
  switch (error.keyword) {
    case "additionalProperties": {
      const known = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return `${at} has no option "${(error.params as { additionalProperty: string }).additionalProperty}"; options: ${known.join(", ")}`;
    }
    case "enum":
      return `${at} is ${JSON.stringify(got)}; use one of ${LEVELS.join(", ")}`;
    case "type":
      return `${at} must be ${article((error.params as { type: string }).type)}, but is ${describeValue(got)}`;
    case "pattern":
      return (error.params as { pattern: string }).pattern === QUANTITY_PATTERN
        ? `${at} is ${describeValue(got)}, not a Kubernetes quantity${quantityFix(got)}`
        : `${at} ${error.message ?? "is not valid"}`;
    case "minimum":
    case "exclusiveMinimum":
      return `${at} is ${describeValue(got)}; it ${error.message ?? "is out of range"}`;
    default:
      return `${at} ${error.message ?? "is not valid"}`;
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** `512MB` → `512Mi`: Kubernetes has no byte suffix; its binary units are Ki, Mi, Gi… */
function quantityFix(value: unknown): string {
  const m = typeof value === "string" ? /^(\d+(?:\.\d+)?)\s*([KMGTPE])i?B$/i.exec(value.trim()) : null;
  return m ? `; write "${m[1]}${m[2].toUpperCase()}i" (Ki, Mi, Gi are powers of 1024)` : "; write it like 512Mi, 1Gi or 500m";
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
  const expanded = expandAll(
    config,
    RULES.map((r) => r.id),
  );
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
