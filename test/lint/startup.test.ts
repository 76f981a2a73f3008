/**
 * The installed command starts from one bundled file with a V8 code cache (bin/crashguard.js):
 * the cache is made once, reused, and anything wrong with it only costs speed, never output.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const BIN = path.join(__dirname, "..", "..", "bin", "crashguard.js");
const MANIFEST = path.join(__dirname, "..", "..", "examples", "bad-app", "manifests");

function lint(cacheRoot: string) {
  const result = spawnSync(process.execPath, [BIN, "lint", MANIFEST], {
    encoding: "utf8",
    env: { ...process.env, NODE_COMPILE_CACHE: cacheRoot },
  });
  expect(result.stderr).toBe("");
  expect(result.stdout).toContain("4 errors, 2 warnings in 6 workloads (6 files)");
  expect(result.status).toBe(1);
  return result.stdout;
}
const cacheDir = (root: string) => path.join(root, `crashguard-${process.getuid?.() ?? "user"}`);
const caches = (root: string) => (fs.existsSync(cacheDir(root)) ? fs.readdirSync(cacheDir(root)) : []);

describe("crashguard's start", () => {
  it("makes a code cache for the command on the first run and reuses it unchanged", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "crashguard-cache-"));
    const first = lint(root);
    expect(caches(root)).toEqual([expect.stringMatching(/^\w+-v\d+\.\d+\.\d+-\w+-lint\.cache$/)]);
    const file = path.join(cacheDir(root), caches(root)[0]);
    const made = fs.readFileSync(file);
    expect(lint(root)).toBe(first);
    expect(fs.readFileSync(file).equals(made)).toBe(true); // accepted, so not made again
    expect(fs.statSync(cacheDir(root)).mode & 0o077).toBe(0);
  });

  it("replaces a cache V8 rejects, with the same output", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "crashguard-cache-"));
    const expected = lint(root);
    const file = path.join(cacheDir(root), caches(root)[0]);
    const made = fs.readFileSync(file);
    fs.writeFileSync(file, Buffer.alloc(made.length, 7));
    expect(lint(root)).toBe(expected);
    expect(fs.readFileSync(file).equals(made)).toBe(false);
    expect(fs.readFileSync(file)[0]).not.toBe(7);
  });

  it("removes other bundles' and Node versions' caches a day old when it writes its own, and nothing on a start that finds its cache", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "crashguard-cache-"));
    fs.mkdirSync(cacheDir(root), { mode: 0o700 });
    const plant = (name: string, daysOld: number) => {
      const file = path.join(cacheDir(root), name);
      fs.writeFileSync(file, "old");
      const when = new Date(Date.now() - daysOld * 24 * 60 * 60 * 1000);
      fs.utimesSync(file, when, when);
    };
    plant(`0123456789abcdef-${process.version}-${process.arch}-lint.cache`, 2); // an earlier crashguard
    plant(`0123456789abcdef-${process.version}-${process.arch}-check.cache.4242`, 2); // a write cut short
    plant(`fedcba9876543210-v20.0.0-${process.arch}-lint.cache`, 2); // another Node
    plant(`aaaaaaaaaaaaaaaa-${process.version}-${process.arch}-lint.cache`, 0); // another install, in use today
    plant("notes.txt", 2); // not a cache
    lint(root);
    const kept = [`aaaaaaaaaaaaaaaa-${process.version}-${process.arch}-lint.cache`, "notes.txt"];
    const written = caches(root).filter((n) => !kept.includes(n));
    expect(written).toEqual([expect.stringMatching(new RegExp(`^\\w+-${process.version}-${process.arch}-lint\\.cache$`))]);
    expect(caches(root).sort()).toEqual([...written, ...kept].sort());

    plant(`0123456789abcdef-${process.version}-${process.arch}-lint.cache`, 2);
    lint(root); // finds its cache: writes nothing, removes nothing
    expect(caches(root)).toContain(`0123456789abcdef-${process.version}-${process.arch}-lint.cache`);
  });

  it("uses no cache in a directory others can write to, and runs as well without one", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "crashguard-cache-"));
    fs.mkdirSync(cacheDir(root), { mode: 0o777 });
    fs.chmodSync(cacheDir(root), 0o777);
    const planted = path.join(cacheDir(root), "planted");
    fs.writeFileSync(planted, "");
    lint(root);
    expect(caches(root)).toEqual(["planted"]);
    // A cache root that is a file: nothing can be written, the command still runs.
    const notADirectory = path.join(root, "file");
    fs.writeFileSync(notADirectory, "");
    lint(notADirectory);
  });
});
