/**
 * On a CLI older than 3.182 the engine has no resource hooks, and a program with a verifying
 * Workload must fail rather than deploy unverified with the provider's await turned off. Run in
 * its own process: the SDK raises the refusal outside any promise a test could await.
 */
import { execFile } from "node:child_process";
import path from "node:path";

const ROOT = path.join(__dirname, "..", "..");

/** A program under mocks whose engine, like CLI < 3.182, does not offer the resource-hooks feature. */
const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
pulumi.runtime.setMocks({ newResource: (a) => ({ id: a.name + "-id", state: a.inputs }), call: (a) => a.inputs }, "shop", "dev", false);
require("@pulumi/pulumi/runtime/state").getStore().supportsResourceHooks = false;
const { Workload } = require("./components/workload");
new Workload("api", { image: "ghcr.io/acme/api:1.4.2", verify: process.argv[1] === "verify" });
`;

function run(mode: "verify" | "no-verify"): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["-r", "./bin/register.js", "-e", PROGRAM, mode], { cwd: ROOT }, (err, _stdout, stderr) =>
      resolve({ code: err ? Number(err.code) : 0, stderr }),
    );
  });
}

test("a verifying Workload fails the program with the SDK's call to update the CLI", async () => {
  const { code, stderr } = await run("verify");
  expect(code).not.toBe(0);
  expect(stderr).toContain("The Pulumi CLI does not support resource hooks. Please update the Pulumi CLI");
}, 60_000);

test("with verify: false the same program runs: no hooks, the provider's await", async () => {
  expect(await run("no-verify")).toEqual({ code: 0, stderr: "" });
}, 60_000);
