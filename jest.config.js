/** Tests are transpiled by swc; type-checking is the separate `tsc --noEmit` step of `npm test`. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  testTimeout: 30000,
  // Jest's default on 2 cores is a single worker; many suites wait on child processes (the pack,
  // programs under check, the API simulator), so two workers use the machine and halve the wall time.
  maxWorkers: 2,
  // The pack runs compiled, as users run it: rebuild it first when its sources changed.
  globalSetup: "<rootDir>/test/support/pack-build.ts",
};
