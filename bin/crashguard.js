#!/usr/bin/env node
// Runs the TypeScript CLI directly: transpile-only through swc, so start-up stays fast.
require("ts-node").register({
  transpileOnly: true,
  swc: true,
  project: require("path").join(__dirname, "..", "tsconfig.json"),
});
const { run, processIO } = require("../cli/main.ts");
run(process.argv.slice(2), processIO).then((code) => {
  process.exitCode = code;
});
