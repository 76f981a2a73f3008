// Bundles the CLI's start (cli/main.ts) and everything `lint` needs, `yaml` included, into one
// file, dist/cli/crashguard.js: one file to read and compile instead of a hundred to resolve.
// The other commands stay the separate modules tsc wrote beside it (dist/cli/check.js…), loaded
// only when run; they start child processes and gRPC servers, where start-up is not what users wait on.
// The first line names the bundle's content hash: bin/crashguard.js keys its code cache by it.
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const esbuild = require("esbuild");

const ROOT = path.join(__dirname, "..");
const MAIN = path.join(ROOT, "cli", "main.ts");
const OUT = path.join(ROOT, "dist", "cli", "crashguard.js");
/** Commands cli/main.ts loads by name, kept out of the bundle. */
const SEPARATE = /^\.\/(check|verify|diagnose|export)$/;

const separateCommands = {
  name: "separate-commands",
  setup(build) {
    build.onResolve({ filter: SEPARATE }, (args) => (args.importer === MAIN ? { path: args.path, external: true } : undefined));
  },
};

async function main() {
  const result = await esbuild.build({
    entryPoints: [MAIN],
    outfile: OUT,
    write: false,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node22",
    // ajv is loaded only when a policy config is given (cli/policy-config.ts).
    external: ["ajv"],
    // yaml's ES module build, the same code as its CommonJS one (which Node's resolution picks):
    // esbuild leaves out the parts lint never runs and needs no interop wrapper per module. It
    // differs only in printing warnings with console.warn, and lint parses with logLevel "error".
    alias: { yaml: path.join(path.dirname(require.resolve("yaml/package.json")), "browser", "dist", "index.js") },
    plugins: [separateCommands],
    // Less to read and hash at every start; names kept, for messages and checks that read them.
    minify: true,
    keepNames: true,
    logLevel: "warning",
  });
  // Written as the function Node would wrap a CommonJS module in (Module.wrap), so the bin compiles
  // the file's text as it is read, without a wrapped copy of it to allocate.
  const code = `(function (exports, require, module, __filename, __dirname) {${result.outputFiles[0].text}\n})`;
  const hash = crypto.createHash("sha256").update(code).digest("hex").slice(0, 16);
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, `// crashguard-bundle ${hash}\n${code}`);
}

main().catch(() => {
  process.exitCode = 1; // esbuild has printed the error
});
