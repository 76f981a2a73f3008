/** Tests are transpiled by swc; type-checking is the separate `tsc --noEmit` step of `npm test`. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  testTimeout: 30000,
  // Jest's default on 2 cores is a single worker; many suites wait on child processes (the pack,
  // programs under check, the API simulator), so three workers keep both cores busy: measured on
  // this 2-core machine from a cold cache, jest took 118 s with two workers and 91 s with three.
  maxWorkers: 3,
  // The pack runs compiled, as users run it: rebuild it first when its sources changed.
  globalSetup: "<rootDir>/test/support/pack-build.ts",
};
