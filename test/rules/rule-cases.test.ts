/** Every rule over its own fixtures, polaris style: `test/fixtures/rules/<rule-id>/{pass,fail}*.yaml`. */
import { checkObject, RULE_IDS } from "../../policies/rules";
import { ruleCases } from "../support/fixtures";

const cases = ruleCases();

describe("per-rule fixtures", () => {
  it("give every rule at least one workload it accepts and one it reports, and name no unknown rule", () => {
    for (const id of RULE_IDS) {
      expect({ id, pass: cases.some((c) => c.rule === id && c.expect === "pass") }).toEqual({ id, pass: true });
      expect({ id, fail: cases.some((c) => c.rule === id && c.expect === "fail") }).toEqual({ id, fail: true });
    }
    expect(cases.map((c) => c.rule).filter((r) => !RULE_IDS.includes(r as never))).toEqual([]);
  });

  it.each(cases.filter((c) => c.expect === "pass").map((c) => [c.file, c] as const))("%s passes every rule", (_file, c) => {
    expect(c.objects.flatMap((o) => checkObject(o)).map((f) => `${f.rule} ${f.path}`)).toEqual([]);
  });

  it.each(cases.filter((c) => c.expect === "fail").map((c) => [c.file, c] as const))("%s fails its own rule", (_file, c) => {
    const findings = c.objects.flatMap((o) => checkObject(o));
    expect(findings.filter((f) => f.rule === c.rule).length).toBeGreaterThan(0);
    // The example shows what its rule is about: other rules only where the same flaw trips them too.
    expect(findings.every((f) => f.rule === c.rule || f.path === findings[0].path)).toBe(true);
  });
});
