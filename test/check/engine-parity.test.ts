/**
 * `crashguard check` sees what the engine would: transforms applied in the engine's order, charts
 * it cannot see into named as not checked, and a program that does not finish reported as such.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../cli/check";
import { runProgram } from "../../cli/program-runner";
import { readProject } from "../../cli/pulumi-project";
import { FIXTURES } from "../support/fixtures";
import { fakeIO } from "../support/io";

const project = (name: string) => path.join(FIXTURES, "check", name);
// Each check starts a program and the pack as child processes; give them room on a loaded machine.
jest.setTimeout(120_000);

async function run(name: string, timeoutMs?: number) {
  const p = readProject(project(name), "dev");
  return runProgram(
    { projectDir: p.dir, project: p.name, stack: p.stack, main: p.main, config: p.config, secretKeys: p.secretKeys },
    { timeoutMs },
  );
}

describe("check applies transforms as the engine does", () => {
  it("runs a resource's own transforms, then its parents', then the stack's, in registration order", async () => {
    const { resources } = await run("with-defaults");
    const order = (name: string) =>
      (resources.find((r) => r.name === name)?.properties.metadata as { annotations?: { order?: string } })?.annotations?.order;
    expect(order("vendor-app")).toBe("own,parent,stack");
    expect(order("plain")).toBe("stack");
  });

  it("reports no mandatory violation for Deployments that withDefaults() completes, in text and JSON", async () => {
    const json = fakeIO();
    expect(await main([project("with-defaults"), "--output", "json"], json)).toBe(0);
    const report = JSON.parse(json.out);
    expect(report.summary.mandatory).toBe(0);
    expect(report.diagnostics.map((d: { policy: string; name: string }) => `${d.policy} ${d.name}`).sort()).toEqual([
      "liveness-probe-required plain",
      "liveness-probe-required vendor-app",
    ]);
  });
});

describe("check names what it cannot see into", () => {
  it("warns that Helm charts are rendered at deploy time and not checked, in text and in JSON", async () => {
    const text = fakeIO();
    expect(await main([project("helm-chart")], text)).toBe(0);
    expect(text.out).toContain("Not checked:");
    expect(text.out).toMatch(
      /⚠ kubernetes:helm\.sh\/v4:Chart redis: contents rendered at deploy time, not checked; run `helm template … \| crashguard lint -`/,
    );
    expect(text.out).toMatch(/⚠ kubernetes:helm\.sh\/v3:Chart ingress: contents rendered at deploy time/);
    expect(text.out).toContain("2 resources not checked (rendered at deploy time).");

    const json = fakeIO();
    expect(await main([project("helm-chart"), "--output", "json"], json)).toBe(0);
    const report = JSON.parse(json.out);
    expect(report.summary.notChecked).toBe(2);
    expect(report.notChecked.map((r: { type: string; name: string }) => `${r.type} ${r.name}`).sort()).toEqual([
      "kubernetes:helm.sh/v3:Chart ingress",
      "kubernetes:helm.sh/v4:Chart redis",
    ]);
    expect(report.notChecked[0].message).toContain("helm template");
  });
});

describe("check reports a program that does not finish", () => {
  it("names a program whose exported promise never settles", async () => {
    await expect(run("never-settles")).rejects.toThrow(/index\.js never finished: its exported value or promise never settled/);
  });

  it("stops a program that keeps running past --timeout and names it, exit 2", async () => {
    const io = fakeIO();
    expect(await main([project("hangs"), "--timeout", "2"], io)).toBe(2);
    expect(io.err).toMatch(/index\.js did not finish within 2s and was stopped/);
  });

  it("names the signal that killed a program", async () => {
    await expect(run("killed")).rejects.toThrow(/index\.js was killed by SIGKILL before it finished/);
  });

  it("shows a program's error, not the noise it wrote to stderr before failing", async () => {
    const io = fakeIO();
    expect(await main([project("floods")], io)).toBe(2);
    expect(io.err).toMatch(/\ncrashguard check: the program failed: config key clusterName is required\n$/);
    expect(io.err).not.toContain("deprecated");
  });

  it("refuses a timeout that is not a number of seconds a timer can hold", async () => {
    for (const bad of ["0", "soon", "3000000"]) {
      const io = fakeIO();
      expect(await main([project("hangs"), "--timeout", bad], io)).toBe(2);
      expect(io.err).toContain("--timeout must be a number of seconds from 1 to 86400");
    }
  });
});

describe("check hands each resource over as the program registers it", () => {
  it("delivers a resource while the program still runs, then the rest in registration order", async () => {
    // The program finishes only once this file exists, and the file is written on receiving its first ConfigMap.
    const signal = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "crashguard-test-")), "received");
    const p = readProject(project("streams"), "dev");
    const received: string[] = [];
    const { resources } = await runProgram(
      { projectDir: p.dir, project: p.name, stack: p.stack, main: p.main, config: { "check-streams:signal": signal }, secretKeys: [] },
      {
        timeoutMs: 60_000,
        onResource: (r) => {
          received.push(r.name);
          if (r.name === "first") fs.writeFileSync(signal, "");
        },
      },
    );
    expect(resources.map((r) => r.name)).toEqual(["check-streams-dev", "first", "second"]);
    expect(received).toEqual(resources.map((r) => r.name));
  });
});
