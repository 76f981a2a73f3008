import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";

export const FIXTURES = path.join(__dirname, "..", "fixtures");

export interface RuleFixture {
  file: string;
  /** The manifests in the file. */
  objects: unknown[];
  /** `# expect: <rule-id> <path>` lines; empty for `# expect: none`. */
  expected: Array<{ rule: string; path: string }>;
}

/** The rule-core fixtures: real YAML, one case per file, expectations in its header comments. */
export function ruleFixtures(dir = path.join(FIXTURES, "rules")): RuleFixture[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort().map((file) => {
    const text = fs.readFileSync(path.join(dir, file), "utf8");
    const expected = [...text.matchAll(/^# expect: (\S+)(?: (\S+))?$/gm)]
      .filter((m) => m[1] !== "none")
      .map((m) => ({ rule: m[1], path: m[2] }));
    return { file, objects: parseAllDocuments(text).map((d) => d.toJS()), expected };
  });
}
