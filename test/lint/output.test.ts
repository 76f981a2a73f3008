/** What `crashguard lint` prints around the findings: aligned columns, no library noise, no silent skips. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../cli/lint";
import { fakeIO } from "../support/io";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crashguard-lint-output-"));
function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

const POD = "apiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec:\n  containers:\n    - name: c\n      image: c:1\n";

describe("lint's text output", () => {
  it("keeps a gap between position and level at five-digit lines", async () => {
    const file = write("long.yaml", "# filler\n".repeat(35396) + POD);
    const io = fakeIO();
    expect(await main([file], io)).toBe(1);
    const rows = io.out.split("\n").filter((l) => /^\s+\d+:\d+/.test(l));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toMatch(/^ {2}35\d{3}:\d+ +(error|warning) /);
    // Message lines start where the rule column's text starts, so the block reads as one.
    const levelAt = rows[0].search(/error|warning/);
    const messageLine = io.out.split("\n")[io.out.split("\n").indexOf(rows[0]) + 1];
    expect(messageLine.search(/\S/)).toBe(levelAt + "error    ".length);
  });

  it("never lets the yaml library print its warnings to the user's terminal", async () => {
    const emitted = jest.spyOn(process, "emitWarning");
    const file = write("collection-key.yaml", `${POD}      ? [a, b]\n      : x\n`);
    try {
      await main([file], fakeIO());
      expect(emitted).not.toHaveBeenCalled();
    } finally {
      emitted.mockRestore();
    }
  });

  it("names in the summary every document it could not read, instead of a clean-looking 0 errors", async () => {
    const broken = write("broken.yaml", `${POD}---\nkind: [unclosed\n`);
    const io = fakeIO();
    expect(await main([broken], io)).toBe(1);
    const summary = io.out.trimEnd().split("\n").slice(-2);
    expect(summary[0]).toMatch(/^\d+ errors?, \d+ warnings? in 1 workload \(1 file\)$/);
    expect(summary[1]).toBe(`not linted, could not be read: ${path.relative(process.cwd(), broken)}:10`);
  });

  it("when nothing could be read, says so beside 0 errors and exits 2", async () => {
    const broken = write("only-broken.yaml", "a: [\n");
    const io = fakeIO();
    expect(await main([broken], io)).toBe(2);
    expect(io.out).toMatch(/0 errors, 0 warnings in 0 workloads \(1 file\)\nnot linted, could not be read: .*only-broken\.yaml:2\n$/);
  });
});
