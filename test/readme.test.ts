import * as fs from "node:fs";
import * as path from "node:path";

const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");

describe("README stays true", () => {
  it("gives the install and test commands that CI runs", () => {
    const ci = fs.readFileSync(path.join(__dirname, "..", ".ci", "run"), "utf8");
    expect(readme).toContain("npm ci");
    expect(readme).toContain("npm test");
    expect(ci).toMatch(/^npm ci$/m);
    expect(ci).toMatch(/^npm test$/m);
  });
});
