/**
 * Exemptions by annotation, with a reason required — so every skipped rule in a cluster explains
 * itself to the next reader (kube-linter's `ignore-check.kube-linter.io/<check>: "<reason>"` idea).
 *
 *   crashguard.dev/exempt: "liveness-probe-required: queue worker has no endpoint; probe-sanity: legacy port"
 */
import { EXEMPT_ANNOTATION } from "./workload";
import { PodTemplate, RuleId } from "./types";

export interface Exemptions {
  /** Rule ids exempted with a reason; `"*"` exempts every rule. */
  rules: Set<string>;
  problems: string[];
}

/** Rules no annotation can switch off: they guard the exemptions and the reading of the spec itself. */
const NOT_EXEMPTIBLE: RuleId[] = ["exemption-valid", "spec-readable"];

/** A `;` starts a new clause only before `<rule-id>[,…]:`, so reasons may contain semicolons. */
const CLAUSE_BREAK = /;(?=\s*[\w*-]+(?:\s*,\s*[\w*-]+)*\s*:)/;

export function parseExemptions(template: PodTemplate, known: readonly string[]): Exemptions {
  const result: Exemptions = { rules: new Set(), problems: [] };
  const value = template.annotations[EXEMPT_ANNOTATION];
  if (value === undefined) return result;
  for (const clause of value.split(CLAUSE_BREAK)) {
    if (!clause.trim()) continue;
    const colon = clause.indexOf(":");
    const ids = (colon < 0 ? clause : clause.slice(0, colon)).split(",").map((s) => s.trim()).filter(Boolean);
    const reason = colon < 0 ? "" : clause.slice(colon + 1).trim();
    if (!reason) {
      result.problems.push(`exemption "${clause.trim()}" gives no reason, so it is ignored; write "${ids.join(",") || "<rule-id>"}: <why this workload is safe without it>"`);
      continue;
    }
    for (const id of ids) {
      if (id === "*" || (known.includes(id) && !NOT_EXEMPTIBLE.includes(id as RuleId))) result.rules.add(id);
      else if (NOT_EXEMPTIBLE.includes(id as RuleId)) result.problems.push(`rule "${id}" cannot be exempted`);
      else result.problems.push(`exemption names unknown rule "${id}"; known rules: ${known.filter((k) => !NOT_EXEMPTIBLE.includes(k as RuleId)).join(", ")}`);
    }
  }
  return result;
}

export function isExempt(exemptions: Exemptions, rule: RuleId): boolean {
  return !NOT_EXEMPTIBLE.includes(rule) && (exemptions.rules.has("*") || exemptions.rules.has(rule));
}
