import * as fs from "node:fs";
import { RULES } from "../../policies/rules";
import { RULES_DOC, rulesDoc } from "../../scripts/rules-doc";

describe("docs/rules.md", () => {
  it("is what `npm run docs` renders from RULES today (run it after changing a rule, its options or its fixtures)", () => {
    expect(fs.readFileSync(RULES_DOC, "utf8")).toBe(rulesDoc());
  });

  it.each(RULES.map((r) => [r.id, r] as const))(
    "documents %s with its default level, every option and a pass and fail example",
    (id, rule) => {
      const section = rulesDoc()
        .split(/^## /m)
        .find((s) => s.startsWith(`${id}\n`));
      expect(section).toBeDefined();
      expect(section).toContain(`Default level: **${rule.defaultLevel}**`);
      for (const option of Object.keys(rule.configSchema.properties)) expect(section).toContain(`| \`${option}\` |`);
      expect(section).toContain("Passes (");
      expect(section).toMatch(/Fails \([\s\S]*crashguard reports:\n\n```\n\[/);
    },
  );
});
