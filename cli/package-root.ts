import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The crashguard package's own directory, whether this code runs from its sources (cli/) or
 * compiled (dist/cli/): the nearest directory above holding a package.json. Its package.json and
 * policies/ pack are found from here.
 */
export const PACKAGE_ROOT = nearestPackage(__dirname);

function nearestPackage(dir: string): string {
  return fs.existsSync(path.join(dir, "package.json")) || path.dirname(dir) === dir ? dir : nearestPackage(path.dirname(dir));
}
