import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { PACK_DIR } from "../support/pack";

/** `pulumi policy publish` uploads policies/ alone: every import must resolve inside it or to its own dependencies. */
describe("the pack is publishable on its own", () => {
  const files = (dir: string): string[] =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .flatMap((e) =>
        e.isDirectory()
          ? e.name === "node_modules"
            ? []
            : files(path.join(dir, e.name))
          : e.name.endsWith(".ts")
            ? [path.join(dir, e.name)]
            : [],
      );
  const pkg = JSON.parse(fs.readFileSync(path.join(PACK_DIR, "package.json"), "utf8"));

  it("has a versioned package.json and PulumiPolicy.yaml", () => {
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(fs.readFileSync(path.join(PACK_DIR, "PulumiPolicy.yaml"), "utf8")).toMatch(/^runtime: nodejs$/m);
  });

  it.each(files(PACK_DIR).map((f) => [path.relative(PACK_DIR, f), f]))("%s imports only what ships with the pack", (_rel, file) => {
    const source = fs.readFileSync(file, "utf8");
    for (const m of source.matchAll(/(?:import|export)[^'"]*?from\s+["']([^"']+)["']|require\(["']([^"']+)["']\)/g)) {
      const spec = m[1] ?? m[2];
      if (spec.startsWith("node:")) continue; // Node's own modules ship with the runtime the pack runs on
      if (spec.startsWith(".")) {
        expect(path.resolve(path.dirname(file), spec).startsWith(PACK_DIR + path.sep)).toBe(true);
      } else {
        const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
        expect(Object.keys(pkg.dependencies)).toContain(name);
      }
    }
  });

  it("ships every source its build compiles: installing the packed pack runs its `prepare` (tsc) again", () => {
    const packed = JSON.parse(
      execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
        cwd: PACK_DIR,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      }),
    )[0].files.map((f: { path: string }) => f.path);
    const sources = files(PACK_DIR)
      .filter((f) => !f.startsWith(path.join(PACK_DIR, "dist") + path.sep))
      .map((f) => path.relative(PACK_DIR, f).split(path.sep).join("/"));
    expect(sources).toContain("index.ts");
    expect(packed).toEqual(expect.arrayContaining(sources));
  });
});
