import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { run } from "../../cli/main";
import { fakeIO } from "../support/io";

async function exportPolicies(args: string[]) {
  const io = fakeIO();
  const code = await run(["export", ...args], io);
  return { code, out: io.out, err: io.err };
}

function configFile(config: unknown): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "crashguard-export-")), "policy-config.json");
  fs.writeFileSync(file, JSON.stringify(config));
  return file;
}

describe("crashguard export admission-policies", () => {
  it("prints a YAML stream kubectl can apply: the bounds ConfigMap, then a policy and a binding per rule", async () => {
    const { code, out } = await exportPolicies(["admission-policies"]);
    expect(code).toBe(0);
    const docs = parseAllDocuments(out).map((d) => d.toJS());
    expect(docs.map((d) => `${d.kind} ${d.metadata.name}`)).toEqual([
      "ConfigMap crashguard-admission-bounds",
      "ValidatingAdmissionPolicy crashguard-resources-required",
      "ValidatingAdmissionPolicyBinding crashguard-resources-required",
      "ValidatingAdmissionPolicy crashguard-resource-values-valid",
      "ValidatingAdmissionPolicyBinding crashguard-resource-values-valid",
      "ValidatingAdmissionPolicy crashguard-readiness-probe-required",
      "ValidatingAdmissionPolicyBinding crashguard-readiness-probe-required",
      "ValidatingAdmissionPolicy crashguard-liveness-probe-required",
      "ValidatingAdmissionPolicyBinding crashguard-liveness-probe-required",
    ]);
    expect(out).not.toMatch(/[&*]a\d/); // no YAML anchors or aliases
  });

  it("honours the pack's config file: levels, bounds and the bounds namespace", async () => {
    const file = configFile({
      all: "advisory",
      "resources-required": "mandatory",
      "liveness-probe-required": "disabled",
      "resource-values-valid": { maxCpuLimit: "4" },
    });
    const { code, out } = await exportPolicies([
      "admission-policies",
      "--policy-pack-config",
      file,
      "--param-namespace",
      "platform",
      "-o",
      "json",
    ]);
    expect(code).toBe(0);
    const list = JSON.parse(out);
    expect(list.kind).toBe("List");
    const bindings = Object.fromEntries(
      list.items
        .filter((o: { kind: string }) => o.kind === "ValidatingAdmissionPolicyBinding")
        .map((b: { spec: { policyName: string; validationActions: string[] } }) => [b.spec.policyName, b.spec.validationActions]),
    );
    expect(bindings).toEqual({
      "crashguard-resources-required": ["Deny"],
      "crashguard-resource-values-valid": ["Warn", "Audit"],
      "crashguard-readiness-probe-required": ["Warn", "Audit"],
    });
    expect(list.items[0]).toMatchObject({ kind: "ConfigMap", metadata: { namespace: "platform" }, data: { maxCpuLimit: "4" } });
  });

  it("exits 2 naming the file and the field when a bound is not a quantity", async () => {
    const file = configFile({ "resource-values-valid": { minMemoryRequest: "100MB" } });
    const { code, out, err } = await exportPolicies(["admission-policies", "--policy-pack-config", file]);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toContain(`${file}: "resource-values-valid".minMemoryRequest is the string "100MB", not a Kubernetes quantity`);
    expect(err).toContain('write "100Mi"');
  });

  it("exits 2 with the usage when told nothing, or something else, to export", async () => {
    for (const args of [[], ["pod-security"]]) {
      const { code, err } = await exportPolicies(args);
      expect(code).toBe(2);
      expect(err).toContain("usage: crashguard export admission-policies");
    }
  });
});
