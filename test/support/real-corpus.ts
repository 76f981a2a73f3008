/**
 * The real-manifest corpus and its pinned findings: every finding crashguard reports on each public
 * manifest in test/fixtures/real, with its message and fix, checked in under test/fixtures/real-findings
 * (apart, so the corpus directory itself stays lintable as a whole).
 * A change in verdict, message or fix is then a diff a reviewer reads, never a silent update.
 * Re-pin on purpose with `npx ts-node test/support/pin-real-findings.ts`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { lintFiles } from "../../cli/lint";
import { ruleSettings } from "../../cli/policy-config";
import { RULE_IDS } from "../../policies/rules";
import { FIXTURES } from "./fixtures";

export const REAL = path.join(FIXTURES, "real");
export const PINNED = path.join(FIXTURES, "real-findings");

export function realManifests(): string[] {
  return fs
    .readdirSync(REAL)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort();
}

/** System add-ons are judged too: the pin covers every namespace, including the default exclusions. */
const EVERY_NAMESPACE = ruleSettings(Object.fromEntries(RULE_IDS.map((id) => [id, { excludeNamespaces: [] }])));

export function findingsOf(file: string): unknown[] {
  const report = lintFiles([path.join(REAL, file)], () => "", EVERY_NAMESPACE);
  if (report.errors.length) throw new Error(`${file}: ${report.errors.map((e) => e.message).join("; ")}`);
  return report.findings.map((f) => ({
    at: `${f.line}:${f.column}`,
    level: f.level,
    rule: f.rule,
    resource: f.resource,
    container: f.container,
    path: f.path,
    message: f.message,
    ...(f.fix === undefined ? {} : { fix: f.fix }),
  }));
}

export function pinnedPath(file: string): string {
  return path.join(PINNED, `${file}.findings.yaml`);
}

export function pinnedText(file: string): string {
  return (
    `# Findings on test/fixtures/real/${file}, pinned by test/lint/real-corpus.test.ts.\n` + stringify(findingsOf(file), { lineWidth: 0 })
  );
}
