/**
 * The program child defers the Pulumi SDK's package-tree reader and TypeScript compiler
 * (cli/deferred-module.ts): a JavaScript program that never serialises a function does not pay for
 * loading them, and one that does still gets them.
 */
import * as path from "node:path";
import { runProgram } from "../../cli/program-runner";
import { readProject } from "../../cli/pulumi-project";
import { FIXTURES } from "../support/fixtures";

jest.setTimeout(120_000);

test("@npmcli/arborist and TypeScript load only when the program first uses them, and then work", async () => {
  const p = readProject(path.join(FIXTURES, "check", "code-paths"), "dev");
  const { resources } = await runProgram({
    projectDir: p.dir,
    project: p.name,
    stack: p.stack,
    main: p.main,
    config: p.config,
    secretKeys: p.secretKeys,
  });
  const data = (name: string) => (resources.find((r) => r.name === name)?.properties as { data?: Record<string, string> })?.data;
  expect(data("before")).toEqual({ pacoteLoaded: "false", typescriptLoaded: "false" });
  expect(data("after")).toMatchObject({ pacoteLoaded: "true", typescriptLoaded: "true" });
  expect(Number(data("after")?.codePaths)).toBeGreaterThan(0);
  // The closure captured `answer`, which TypeScript's parser found in the function's text.
  expect(data("after")?.serialized).toMatch(/answer: 42/);
});
