import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../cli/check";
import { FIXTURES } from "../support/fixtures";
import { fakeIO } from "../support/io";

const project = (name: string) => path.join(FIXTURES, "check", name);
// Each check starts a program and the pack as child processes: one took over jest's 30 s on a 2-core
// machine at load 11, so a hang is caught at two minutes instead.
jest.setTimeout(120_000);

describe("crashguard check", () => {
  it("previews a program under mocks and blocks its bad workload, as pulumi preview would (exit 1)", async () => {
    const io = fakeIO();
    expect(await main([project("bad-app")], io)).toBe(1);
    expect(io.out).toContain("Previewed check-bad-app/dev: 3 resources");
    expect(io.out).toMatch(/2 {2}kubernetes:apps\/v1:Deployment/);
    expect(io.out).toContain("kubernetes:apps/v1:Deployment no-resources");
    expect(io.out).toContain("[mandatory] resources-required");
    expect(io.out).toContain("field: spec.template.spec.containers[0].resources");
    expect(io.out).not.toContain("Deployment good");
    expect(io.out).toContain("would fail");
  });

  it("prints stable JSON with every resource, URN and parent", async () => {
    const io = fakeIO();
    expect(await main([project("bad-app"), "--output", "json"], io)).toBe(1);
    const report = JSON.parse(io.out);
    expect(report.summary).toEqual({ resources: 3, mandatory: 2, advisory: 1, remediated: 0, notChecked: 0 });
    const deployment = report.resources.find((r: { name: string }) => r.name === "no-resources");
    expect(deployment).toEqual({
      type: "kubernetes:apps/v1:Deployment",
      name: "no-resources",
      urn: "urn:pulumi:dev::check-bad-app::pulumi:pulumi:Stack$kubernetes:apps/v1:Deployment::no-resources",
      parent: "urn:pulumi:dev::check-bad-app::pulumi:pulumi:Stack::check-bad-app-dev",
    });
    expect(report.diagnostics.map((d: { policy: string; level: string }) => `${d.policy}:${d.level}`).sort()).toEqual([
      "liveness-probe-required:advisory",
      "readiness-probe-required:mandatory",
      "resources-required:mandatory",
    ]);
  });

  it("applies --policy-pack-config like the CLI: levels, options and remediation", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crashguard-test-"));
    const file = path.join(dir, "policy.json");
    fs.writeFileSync(
      file,
      JSON.stringify({ "readiness-probe-required": "advisory", "resources-required": { enforcementLevel: "remediate" } }),
    );
    const io = fakeIO();
    expect(await main([project("bad-app"), "--policy-pack-config", file], io)).toBe(0);
    expect(io.out).toContain("Remediated:\n  resources-required  no-resources");
    expect(io.out).toContain("[advisory] readiness-probe-required");
    expect(io.out).toContain("✓ no mandatory violations (2 advisory)");
  });

  it("remediates with a pack's policy whose own default level is remediate, with no config naming it", async () => {
    const io = fakeIO();
    expect(await main([project("bad-app"), "--policy-pack", project("remediating-pack"), "--output", "json"], io)).toBe(0);
    const report = JSON.parse(io.out);
    expect(report.remediations.map((r: { urn: string; policy: string }) => `${r.policy} ${r.urn.split("::").pop()}`).sort()).toEqual([
      "owner-label good",
      "owner-label no-resources",
    ]);
    expect(report.diagnostics).toEqual([]);
  });

  it("reads stack config and keeps secret config masked and out of the output", async () => {
    const io = fakeIO();
    expect(await main([project("secrets"), "--stack", "prod", "--output", "json"], io)).toBe(1);
    expect(io.out + io.err).not.toContain("AAAABBBBCCCCDDDD");
    const report = JSON.parse(io.out);
    expect(report.resources.map((r: { name: string }) => r.name)).toContain("api");
  });

  it("reports a program that throws with its own error, exit 2", async () => {
    const io = fakeIO();
    expect(await main([project("throws")], io)).toBe(2);
    expect(io.err).toContain("the program failed");
    expect(io.err).toContain("clusterName");
    expect(io.err).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("refuses what is not a Pulumi project, exit 2", async () => {
    const io = fakeIO();
    expect(await main([FIXTURES], io)).toBe(2);
    expect(io.err).toMatch(/Pulumi\.yaml: cannot read it/);
    const usage = fakeIO();
    expect(await main(["--output", "xml"], usage)).toBe(2);
    expect(usage.err).toContain("--output must be text or json");
  });
});
