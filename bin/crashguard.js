#!/usr/bin/env node
require("./register");
const { run, processIO } = require("../cli/main.ts");

run(process.argv.slice(2), processIO).then((code) => {
  process.exitCode = code;
});
