/**
 * `crashguard lint` writes its report as it goes: each file's findings before the next file is
 * read, in exactly the bytes the whole report would have been written in.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { lintFiles, main } from "../../cli/lint";
import { ruleSettings } from "../../cli/policy-config";
import { toSarif } from "../../cli/sarif";
import { fakeIO } from "../support/io";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crashguard-lint-stream-"));
function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}
const pod = (name: string, extra = "") =>
  `apiVersion: v1\nkind: Pod\nmetadata: { name: ${name}, namespace: shop }\nspec:\n  containers:\n    - name: c\n      image: c:1${extra}\n`;

const files = [
  write("a.yaml", `${pod("a1")}---\n${pod("a2", "\n      resources: { requests: { memory: 512MB } }")}`),
  write("b.json", JSON.stringify({ apiVersion: "v1", kind: "List", items: [{ kind: "Job", metadata: { name: "j" } }, 7] }, null, 2)),
  write("c.yaml", "kind: [unclosed\n"),
  write("d.yaml", "apiVersion: v1\nkind: Service\nmetadata: { name: web }\nspec: { ports: [{ port: 80 }] }\n"),
];

async function lint(args: string[]) {
  const io = fakeIO();
  const code = await main(args, io);
  return { code, out: io.out };
}

describe("streamed lint output", () => {
  it("writes the JSON report byte for byte as JSON.stringify of the whole report", async () => {
    const whole = lintFiles(files, () => "", ruleSettings({}));
    expect(whole.findings.length).toBeGreaterThan(3);
    expect(whole.errors.length).toBeGreaterThan(1);
    const { code, out } = await lint([...files, "-o", "json"]);
    expect(out).toBe(`${JSON.stringify(whole, null, 2)}\n`);
    expect(code).toBe(1);
  });

  it("writes an empty findings array as [] and a clean run's summary", async () => {
    const { code, out } = await lint([files[3], "-o", "json"]);
    expect(out).toBe(
      `${JSON.stringify(
        lintFiles([files[3]], () => "", ruleSettings({})),
        null,
        2,
      )}\n`,
    );
    expect(JSON.parse(out).findings).toEqual([]);
    expect(code).toBe(0);
  });

  it("writes SARIF byte for byte as the whole run would be", async () => {
    const whole = lintFiles(files, () => "", ruleSettings({}));
    const { out } = await lint([...files, "-o", "sarif"]);
    const version = JSON.parse(out).runs[0].tool.driver.version;
    const expected = toSarif(
      whole.findings.map((f) => ({
        ...f,
        level: f.level === "mandatory" ? "error" : "warning",
        message: f.fix ? `${f.message}\nfix:\n${f.fix}` : f.message,
      })),
      version,
    );
    expect(out).toBe(`${JSON.stringify(expected, null, 2)}\n`);
    const empty = await lint([files[3], "-o", "sarif"]);
    expect(empty.out).toBe(`${JSON.stringify(toSarif([], version), null, 2)}\n`);
  });

  it.each(["text", "json"])("%s: a file's findings are written before the next file is read", async (output) => {
    const first = write("first.yaml", pod("first"));
    const second = write("second.yaml", pod("before"));
    const io = fakeIO();
    const stdout = io.stdout;
    // Once the first file's findings reach stdout, the second file changes: a report held whole
    // until the end would have read it already and show the old name.
    io.stdout = (text) => {
      if (text.includes("Pod shop/first")) fs.writeFileSync(second, pod("after"));
      stdout(text);
    };
    expect(await main([first, second, "-o", output], io)).toBe(1);
    expect(io.out).toContain("Pod shop/after");
    expect(io.out).not.toContain("Pod shop/before");
  });

  it("groups text by file, each block aligned on its own widest position", async () => {
    const long = write("long.yaml", "# filler\n".repeat(12000) + pod("deep"));
    const short = write("short.yaml", pod("top"));
    const { out } = await lint([short, long]);
    const rows = out.split("\n").filter((l) => /^ {2}\d+:\d+ /.test(l));
    expect(rows.filter((r) => r.startsWith("  6:7     "))).not.toEqual([]); // 7 wide + gap, as for any short file
    expect(rows.filter((r) => /^ {2}1200\d:\d+ +error/.test(r))).not.toEqual([]);
    expect(out.split("\n").filter((l) => l.endsWith(".yaml"))).toEqual([
      path.relative(process.cwd(), short),
      path.relative(process.cwd(), long),
    ]);
    expect(out).toMatch(/\n\n\d+ errors, \d+ warnings in 2 workloads \(2 files\)\n$/);
  });

  it("writes a file of thousands of findings in several blocks under one header, every finding shown", async () => {
    const items = Array.from({ length: 2000 }, (_, i) => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: `p${i}`, namespace: "shop" },
      spec: { containers: [{ name: "c", image: "c:1" }] },
    }));
    const file = write("many.json", JSON.stringify({ apiVersion: "v1", kind: "List", items }, null, 1));
    const { code, out } = await lint([file]);
    expect(code).toBe(1);
    const [, errors, warnings] = /\n(\d+) errors, (\d+) warnings in 2000 workloads/.exec(out)!.map(Number);
    const count = errors + warnings;
    expect(count).toBeGreaterThan(5000); // more than one text block holds
    expect(out.split("\n").filter((l) => l === path.relative(process.cwd(), file))).toHaveLength(1);
    expect(out.split("\n").filter((l) => /^ {2}\d+:\d+ +(error|warning) /.test(l))).toHaveLength(count);
  });
});
