/**
 * `npm install` in a temp directory with no network: the npm cache that `npm ci` filled holds the
 * tarballs of every version in our package-lock.json but not the registry's version lists, so the
 * directory gets a lockfile naming those same versions (npm drops the ones it does not need).
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";

const ROOT = path.join(__dirname, "..", "..");

export async function installOffline(dir: string): Promise<void> {
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));
  const packages: Record<string, unknown> = {
    "": { name: pkg.name, version: pkg.version, dependencies: pkg.dependencies, devDependencies: pkg.devDependencies },
  };
  for (const [where, entry] of Object.entries<Record<string, unknown>>(lock.packages)) {
    if (!where.startsWith("node_modules/") || entry.link) continue;
    // Which packages are dev-only, optional or peers is worked out again for this tree.
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...kept } = entry;
    packages[where] = kept;
  }
  fs.writeFileSync(
    path.join(dir, "package-lock.json"),
    JSON.stringify({ name: pkg.name, version: pkg.version, lockfileVersion: 3, requires: true, packages }),
  );
  await promisify(execFile)("npm", ["install", "--offline", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: dir,
    maxBuffer: 16 * 1024 * 1024,
  });
}
