/**
 * Seeded fast-check mutants of real manifests through the rule core and `crashguard lint`:
 * never a throw, every finding well-formed, exit codes as documented and equal in text and JSON,
 * no secret and no raw control character in any output.
 */
import * as fc from "fast-check";
import { stringify } from "yaml";
import { run } from "../../cli/main";
import { RULES, checkObject } from "../../policies/rules";
import { fakeIO } from "../support/io";
import { RAW_CONTROL } from "./fake-api";
import { SECRET, mutant } from "./mutants";

const RULE_IDS = new Set<string>(RULES.map((r) => r.id));

/** Plain checks, not expect(): this runs thousands of times, and reports the mutant when false. */
const CRASH = /is not a function|Cannot read prop|is not iterable|Maximum call stack/;

test("rule core: 8,000 mutants, no throw, every finding names a rule, a path and a message", () => {
  fc.assert(
    fc.property(mutant, (obj) =>
      checkObject(obj).every(
        (f) =>
          RULE_IDS.has(f.rule) &&
          typeof f.path === "string" &&
          typeof f.message === "string" &&
          f.message.length > 0 &&
          !CRASH.test(f.message) &&
          !`${f.message}${f.fix ?? ""}`.includes(SECRET),
      ),
    ),
    { seed: 1717, numRuns: 8000 },
  );
});

test("lint: 500 mutants as YAML, exit 0/1/2 the same in text and JSON, no secret, no raw control", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(mutant, { minLength: 1, maxLength: 2 }), async (docs) => {
      const yaml = docs.map((d) => stringify(d ?? null)).join("---\n");
      const text = fakeIO({ stdin: yaml, env: { NO_COLOR: "1" } });
      const json = fakeIO({ stdin: yaml, env: { NO_COLOR: "1" } });
      const code = await run(["lint", "-"], text);
      const jsonCode = await run(["lint", "-", "--output", "json"], json);
      const outputs = [text.out, text.err, json.out, json.err];
      return (
        [0, 1, 2].includes(code) &&
        jsonCode === code &&
        outputs.every((out) => !out.includes(SECRET) && !RAW_CONTROL.test(out) && !/\n\s+at /.test(out))
      );
    }),
    { seed: 1717, numRuns: 500 },
  );
});
