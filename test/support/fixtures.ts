import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";

export const FIXTURES = path.join(__dirname, "..", "fixtures");

export interface RuleFixture {
  file: string;
  /** The manifests in the file. */
  objects: unknown[];
  /** `# expect: <rule-id> <path>` lines; empty for `# expect: none`. */
  expected: Array<{ rule: string; path: string }>;
}

/** The scenario fixtures: real YAML, one case per file, every expected finding in its header comments. */
export function ruleFixtures(dir = path.join(FIXTURES, "scenarios")): RuleFixture[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((file) => {
      const text = fs.readFileSync(path.join(dir, file), "utf8");
      const expected = [...text.matchAll(/^# expect: (\S+)(?: (\S+))?$/gm)]
        .filter((m) => m[1] !== "none")
        .map((m) => ({ rule: m[1], path: m[2] }));
      return { file, objects: parseAllDocuments(text).map((d) => d.toJS()), expected };
    });
}

export const RULE_CASES = path.join(FIXTURES, "rules");

export interface RuleCase {
  rule: string;
  /** `pass*.yaml` files hold workloads the rule accepts, `fail*.yaml` ones it reports. */
  expect: "pass" | "fail";
  /** Path from the repository root, as docs/rules.md links it. */
  file: string;
  text: string;
  objects: unknown[];
}

/** The per-rule fixtures, kube-score / polaris style: `test/fixtures/rules/<rule-id>/{pass,fail}*.yaml`. */
export function ruleCases(): RuleCase[] {
  return fs
    .readdirSync(RULE_CASES)
    .sort()
    .flatMap((rule) =>
      fs
        .readdirSync(path.join(RULE_CASES, rule))
        .filter((f) => /^(pass|fail).*\.yaml$/.test(f))
        .sort()
        .map((f) => {
          const text = fs.readFileSync(path.join(RULE_CASES, rule, f), "utf8");
          return {
            rule,
            expect: f.startsWith("pass") ? ("pass" as const) : ("fail" as const),
            file: path.posix.join("test/fixtures/rules", rule, f),
            text,
            objects: parseAllDocuments(text).map((d) => d.toJS()),
          };
        }),
    );
}
