/**
 * Every example in README.md and docs/ that shows a command's output (a fenced block whose first
 * line is `$ npm run …`) is run, and what it shows must be what the command prints: line for line,
 * where a line holding only `…` stands for lines left out.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");
const scripts: Record<string, string> = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts;

interface Example {
  file: string;
  line: number;
  command: string;
  /** The shown output, cut at each `…` line into runs that must each appear whole, in order. */
  runs: string[][];
}

function examples(): Example[] {
  const files = ["README.md", ...fs.readdirSync(path.join(ROOT, "docs")).map((f) => path.join("docs", f))].filter((f) => f.endsWith(".md"));
  const found: Example[] = [];
  for (const file of files) {
    const lines = fs.readFileSync(path.join(ROOT, file), "utf8").split("\n");
    for (let i = 0; i < lines.length; i++) {
      if (!/^```\s*$/.test(lines[i]) || !lines[i + 1]?.startsWith("$ npm run ")) continue;
      const end = lines.indexOf("```", i + 1);
      const runs: string[][] = [[]];
      for (const shown of lines.slice(i + 2, end)) {
        if (shown.trim() === "…") runs.push([]);
        else runs[runs.length - 1].push(shown);
      }
      found.push({ file, line: i + 2, command: lines[i + 1].slice(2), runs: runs.filter((r) => r.length > 0) });
      i = end;
    }
  }
  return found;
}

/** What each command printed: several examples show parts of one command's output. */
const printedBy = new Map<string, string>();

/** `npm run <script> [-- args]` as the script's own command line, run with stdout and stderr as one. */
function run(command: string): string {
  let printed = printedBy.get(command);
  if (printed === undefined) {
    printed = runOnce(command);
    printedBy.set(command, printed);
  }
  return printed;
}

function runOnce(command: string): string {
  const [, script, extra] = /^npm run (\S+)(?: -- (.*))?$/.exec(command) ?? [];
  if (!scripts[script]) throw new Error(`no npm script "${script}" for: ${command}`);
  const [program, ...args] = `${scripts[script]} ${extra ?? ""}`.trim().split(/\s+/);
  expect(program).toBe("node");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crashguard-docs-"));
  const out = path.join(dir, "out");
  const fd = fs.openSync(out, "w");
  try {
    spawnSync(process.execPath, args, { cwd: ROOT, stdio: ["ignore", fd, fd], timeout: 120_000 });
    return fs.readFileSync(out, "utf8");
  } finally {
    fs.closeSync(fd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Where `run`, found whole in `lines` at or after `from`, ends; -1 if it is not there. */
function indexOfRun(lines: string[], run: string[], from: number): number {
  for (let i = from; i + run.length <= lines.length; i++) if (run.every((l, j) => lines[i + j] === l)) return i + run.length;
  return -1;
}

const all = examples();

test("the documentation has output examples to hold true", () => {
  expect(all.map((e) => e.file)).toEqual(
    expect.arrayContaining(["README.md", path.join("docs", "cli.md"), path.join("docs", "policy-pack.md")]),
  );
});

test.each(all.map((e) => [`${e.file}:${e.line} ${e.command}`, e] as const))("%s", (_name, example) => {
  const printed = run(example.command).replace(/\n$/, "").split("\n");
  let at = 0;
  for (const shown of example.runs) {
    const next = indexOfRun(printed, shown, at);
    if (next < 0) {
      // Show the run that is missing beside what was printed, so the stale line is easy to find.
      expect({ shown: shown.join("\n"), printed: printed.slice(at).join("\n") }).toEqual({
        shown: shown.join("\n"),
        printed: shown.join("\n"),
      });
    }
    at = next;
  }
});
