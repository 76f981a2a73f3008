import * as fs from "fs";
import * as path from "path";
import { RULES } from "../policies/rules";

const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");

describe("README stays true", () => {
  it.each(RULES.map((r) => [r.id, r] as const))("documents %s with its default level and every option", (_id, rule) => {
    const row = readme.split("\n").find((l) => l.startsWith(`| \`${rule.id}\` |`));
    expect(row).toBeDefined();
    expect(row).toContain(`| ${rule.defaultLevel} |`);
    for (const option of Object.keys(rule.configSchema.properties).filter((k) => k !== "excludeNamespaces")) expect(row).toContain(`\`${option}\``);
  });

  it("gives the install and test commands that CI runs", () => {
    const ci = fs.readFileSync(path.join(__dirname, "..", ".ci", "run"), "utf8");
    expect(readme).toContain("npm ci");
    expect(readme).toContain("npm test");
    expect(ci).toMatch(/^npm ci$/m);
    expect(ci).toMatch(/^npm test$/m);
  });
});
