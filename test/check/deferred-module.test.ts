/**
 * The program child defers the Pulumi SDK's package-tree reader (cli/deferred-module.ts): a program
 * that never serialises a function does not pay for loading it, and one that does still gets it.
 */
import * as path from "node:path";
import { runProgram } from "../../cli/program-runner";
import { readProject } from "../../cli/pulumi-project";
import { FIXTURES } from "../support/fixtures";

jest.setTimeout(120_000);

test("@npmcli/arborist loads only when the program first uses it, and then works", async () => {
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
  expect(data("before")).toEqual({ pacoteLoaded: "false" });
  expect(data("after")?.pacoteLoaded).toBe("true");
  expect(Number(data("after")?.codePaths)).toBeGreaterThan(0);
});
