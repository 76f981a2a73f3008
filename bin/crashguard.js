#!/usr/bin/env node
// Runs the compiled CLI: dist/cli/crashguard.js, one bundled file (scripts/bundle-cli.js; `npm run
// build` writes it, npm runs that on install from git and before packing).
//
// Start-up is what users wait on for `lint`, and most of it is V8 compiling functions as they are
// first called. So the bundle is compiled with a V8 code cache made *after* the command has run,
// when it holds every function the command needed (https://v8.dev/blog/improved-code-caching);
// Node's own compile cache is made right after compiling, before any function has run
// (https://github.com/nodejs/node/blob/v22.x/src/compile_cache.cc). One cache per command and
// bundle, in NODE_COMPILE_CACHE or the OS temp directory, in a directory only this user can
// write. A cache that cannot be read or written only costs the speed-up.
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const vm = require("node:vm");
// The CommonJS loader's Module class, which require("node:module") exports too, there only after
// loading Node's ES module loader beside it.
const Module = module.constructor;

const BUNDLE = path.join(__dirname, "..", "dist", "cli", "crashguard.js");

/**
 * The cache for this bundle, Node and command — its file, and the start of the names of every
 * command's cache for this bundle and Node — or nothing where the bundle carries no hash.
 */
function cacheOf(source, command) {
  // V8 rejects a cache from another V8 version or flags, but checks the source only by its length
  // (SourceHash in https://github.com/v8/v8/blob/main/src/snapshot/code-serializer.cc): the name
  // carries the bundle's content hash, from its first line.
  const bundleHash = /^\/\/ crashguard-bundle (\w+)\n/.exec(source)?.[1];
  if (!bundleHash) return undefined;
  const dir = path.join(process.env.NODE_COMPILE_CACHE || os.tmpdir(), `crashguard-${process.getuid?.() ?? "user"}`);
  const ownPrefix = `${bundleHash}-${process.version}-${process.arch}-`;
  return { file: path.join(dir, `${ownPrefix}${command}.cache`), ownPrefix };
}

/** A directory someone else owns or can write to could hand us code to run: only our own is used. */
function isOwnDirectory(dir) {
  const stat = fs.statSync(dir);
  return (!process.getuid || stat.uid === process.getuid()) && (stat.mode & 0o022) === 0;
}

function readCache(file) {
  try {
    return file && isOwnDirectory(path.dirname(file)) ? fs.readFileSync(file) : undefined;
  } catch {
    return undefined;
  }
}

function writeCache({ file, ownPrefix }, script) {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    if (!isOwnDirectory(path.dirname(file))) return;
    const temp = `${file}.${process.pid}`;
    fs.writeFileSync(temp, script.createCachedData(), { mode: 0o600 });
    fs.renameSync(temp, file); // whole or not at all, whatever runs beside us
  } catch {
    return; // no cache: the next start compiles again
  }
  removeStaleCaches(path.dirname(file), ownPrefix);
}

/** A cache name (or a write of one cut short): `<bundle hash>-<node version>-<arch>-<command>.cache[.<pid>]`. */
const CACHE_NAME = /^\w+-v[\d.]+-\w+-[a-z-]+\.cache(\.\d+)?$/;
/** How long another bundle's cache is left alone after it was written. */
const STALE_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * Every crashguard update (and Node update) leaves its caches behind, one per command. Each cache
 * written removes those of other bundles and Node versions, and writes cut short, once they are a
 * day old: two installed versions used in turn would otherwise remove each other's cache at every run.
 * Runs only after a cache was written, never on a start that found its cache.
 */
function removeStaleCaches(dir, ownPrefix) {
  try {
    const now = Date.now();
    for (const name of fs.readdirSync(dir)) {
      if (!CACHE_NAME.test(name) || (name.startsWith(ownPrefix) && name.endsWith(".cache"))) continue;
      const file = path.join(dir, name);
      if (now - fs.statSync(file).mtimeMs > STALE_AFTER_MS) fs.rmSync(file, { force: true });
    }
  } catch {
    // whatever is left is removed by a later write
  }
}

const source = fs.readFileSync(BUNDLE, "utf8");
const cache = cacheOf(source, /^[a-z-]+$/.test(process.argv[2] ?? "") ? process.argv[2] : "other");
const cachedData = readCache(cache?.file);
// The bundle is a CommonJS module already wrapped in its function (scripts/bundle-cli.js).
const script = new vm.Script(source, { filename: BUNDLE, cachedData });
const bundle = { exports: {} };
script.runInThisContext()(bundle.exports, Module.createRequire(BUNDLE), bundle, BUNDLE, path.dirname(BUNDLE));
const { run, processIO } = bundle.exports;

/**
 * Whether this run was short enough to leave every function it ran compiled. V8 drops the bytecode
 * of functions unused over several garbage collections (https://v8.dev/blog/v8-release-74#bytecode-flushing),
 * so a long run would cache without the start-up code a short run needs; the next short run makes it.
 */
function ranBriefly() {
  const { user, system } = process.cpuUsage();
  return user + system < 1e6;
}

run(process.argv.slice(2), processIO).then((code) => {
  process.exitCode = code;
  if (cache && (!cachedData || script.cachedDataRejected) && ranBriefly()) writeCache(cache, script);
});
