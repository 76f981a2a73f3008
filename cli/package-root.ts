import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * The crashguard package's own directory, whether this code runs from its sources (cli/) or
 * compiled (dist/cli/): the nearest directory above holding a package.json. Its package.json and
 * policies/ pack are found from here.
 */
export const PACKAGE_ROOT = nearestPackage(__dirname);

function nearestPackage(dir: string): string {
  return existsSync(join(dir, "package.json")) || dirname(dir) === dir ? dir : nearestPackage(dirname(dir));
}
