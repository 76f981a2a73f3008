#!/usr/bin/env node
// Runs the compiled CLI (`npm run build` writes dist/; npm runs it on install from git and before packing).
const { run, processIO } = require("../dist/cli/main.js");

run(process.argv.slice(2), processIO).then((code) => {
  process.exitCode = code;
});
