/**
 * Exemptions by annotation, with a reason required — so every skipped rule in a cluster explains
 * itself to the next reader (kube-linter's `ignore-check.kube-linter.io/<check>: "<reason>"` idea).
 *
 *   crashguard.dev/exempt: "liveness-probe-required: queue worker has no endpoint; probe-sanity: legacy port"
 *
 * Whether a rule is exempt is decided by one regular expression, `exemptionPattern(rule)`, written in
 * the subset RE2 and JavaScript read alike (no look-ahead, ASCII classes only), so the
 * ValidatingAdmissionPolicies generated from these rules decide it with the very same string
 * (RE2 syntax: https://github.com/google/re2/wiki/Syntax).
 */
import { EXEMPT_ANNOTATION } from "./workload";
import type { PodTemplate, RuleId } from "./types";

export interface Exemptions {
  /** Rule ids exempted with a reason. */
  rules: ReadonlySet<string>;
  problems: readonly string[];
}

/** Most workloads carry no exemption, and every rule asks: one shared answer for them. */
const NONE: Exemptions = Object.freeze({ rules: new Set<string>(), problems: Object.freeze([]) });

/** Rules no annotation can switch off: they guard the exemptions and the reading of the spec itself. */
const NOT_EXEMPTIBLE: RuleId[] = ["exemption-valid", "spec-readable"];

// RE2's \s and JavaScript's \s differ (JavaScript's includes Unicode spaces), so spaces are an ASCII
// range (tab to carriage return, and space); \w is ASCII in both. The pattern is kept short because
// the API server charges a regex match by text length × pattern length.
const SPACE = "[\\t-\\r ]";
const ID = "[\\w*-]+";
const IDS = `${ID}(?:${SPACE}*,${SPACE}*${ID})*`;
/**
 * A clause starts the annotation, or follows a `;`, with its rule ids and a colon. A `;` followed by
 * anything else belongs to the reason, so reasons may contain semicolons.
 */
const CLAUSE_HEAD = `(?:^|;)${SPACE}*(${IDS})${SPACE}*:`;
/** A reason starts, after spaces, with a character that is neither a space nor a `;` (which would start the next clause or nothing). */
const REASON_START = `${SPACE}*[^\\t-\\r ;]`;

/**
 * The regular expression (RE2 and JavaScript alike) that matches an exemption annotation exempting
 * `rule`: a clause naming the rule, or `*`, among its ids, followed by a reason.
 */
export function exemptionPattern(rule: RuleId): string {
  const sep = `${SPACE}*,${SPACE}*`;
  return `(?:^|;)${SPACE}*(?:${ID}${sep})*(?:${rule}|\\*)(?:${sep}${ID})*${SPACE}*:${REASON_START}`;
}

const REASON = new RegExp(`^${REASON_START}`);

// Compiled once per rule id: the ids are the registry's, a handful.
const exemptionRegExps = new Map<RuleId, RegExp>();

function exemptionRegExp(rule: RuleId): RegExp {
  let re = exemptionRegExps.get(rule);
  if (!re) {
    re = new RegExp(exemptionPattern(rule));
    exemptionRegExps.set(rule, re);
  }
  return re;
}

export function parseExemptions(template: PodTemplate, known: readonly string[]): Exemptions {
  const value = template.annotations[EXEMPT_ANNOTATION];
  if (value === undefined) return NONE;
  const result = { rules: new Set<string>(), problems: [] as string[] };
  const exemptible = known.filter((k) => !NOT_EXEMPTIBLE.includes(k as RuleId)) as RuleId[];
  for (const id of exemptible) if (exemptionRegExp(id).test(value)) result.rules.add(id);

  const heads = [...value.matchAll(new RegExp(CLAUSE_HEAD, "g"))];
  const leading = value.slice(0, heads.length ? heads[0].index : value.length).trim();
  if (leading) result.problems.push(unreadableClause(leading));
  heads.forEach((head, i) => {
    const ids = head[1].split(",").map((s) => s.trim());
    const reason = value.slice(head.index + head[0].length, i + 1 < heads.length ? heads[i + 1].index : value.length);
    if (!REASON.test(reason)) {
      result.problems.push(noReason(ids.join(",")));
      return;
    }
    for (const id of ids) {
      if (id === "*" || exemptible.includes(id as RuleId)) continue;
      if (NOT_EXEMPTIBLE.includes(id as RuleId)) result.problems.push(`rule "${id}" cannot be exempted`);
      else result.problems.push(`exemption names unknown rule "${id}"; known rules: ${exemptible.join(", ")}`);
    }
  });
  return result;
}

function unreadableClause(text: string): string {
  if (!text.includes(":")) return noReason(text.replace(/;$/, "").trim());
  return `exemption "${text}" cannot be read, so it is ignored; write "<rule-id>[,<rule-id>]: <reason>", rule ids being letters, digits, "-" or "*"`;
}

function noReason(clause: string): string {
  return `exemption "${clause}" gives no reason, so it is ignored; write "${clause || "<rule-id>"}: <why this workload is safe without it>" (the reason starts with a word, not a ";")`;
}

export function isExempt(exemptions: Exemptions, rule: RuleId): boolean {
  return exemptions.rules.has(rule);
}
