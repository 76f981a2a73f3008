/**
 * Jest global setup: the pack runs as compiled JavaScript (policies/dist, written by
 * `npm run build`), so rebuild it before any test starts it whenever a source is newer.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const PACK = path.join(__dirname, "..", "..", "policies");

function newestSource(dir: string): number {
  return Math.max(
    0,
    ...fs.readdirSync(dir, { withFileTypes: true }).map((e) => {
      const file = path.join(dir, e.name);
      if (e.isDirectory()) return e.name === "node_modules" || e.name === "dist" ? 0 : newestSource(file);
      return e.name.endsWith(".ts") || e.name.endsWith(".json") ? fs.statSync(file).mtimeMs : 0;
    }),
  );
}

export default function buildPackIfStale(): void {
  const built = path.join(PACK, "dist", "index.js");
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs >= newestSource(PACK)) return;
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(PACK, "tsconfig.build.json")], {
    stdio: "inherit",
  });
}
