import * as pulumi from "@pulumi/pulumi";
import { mockPulumi } from "./mocks";
import { AdmissionGuard, type AdmissionGuardArgs, checkKubernetesVersion } from "../../components/admission-guard";
import { admissionPolicies } from "../../admission";

const mocks = mockPulumi();
beforeEach(() => mocks.reset());

async function create(args?: AdmissionGuardArgs) {
  new AdmissionGuard("guard", args);
  return mocks.resources();
}

describe("AdmissionGuard", () => {
  it("applies the generated ConfigMap, policies and bindings as its children, unchanged", async () => {
    const all = await create({ configs: { "resource-values-valid": { maxMemoryLimitToRequestRatio: 2 } } });
    const children = all.filter((r) => r.parent?.endsWith("crashguard:k8s:AdmissionGuard::guard"));
    const expected = admissionPolicies({ configs: { "resource-values-valid": { maxMemoryLimitToRequestRatio: 2 } } });
    const key = (type: string, name: string) => `${type} ${name}`;
    const registered = new Map(children.map((r) => [key(r.type, r.inputs.metadata.name), r.inputs]));
    expect(
      new Map(expected.map((o) => [key(`kubernetes:${o.apiVersion === "v1" ? "core/v1" : o.apiVersion}:${o.kind}`, o.metadata!.name!), o])),
    ).toEqual(registered);
  });

  it("follows the levels: a disabled rule gets no policy", async () => {
    const all = await create({ levels: { "liveness-probe-required": "disabled", "readiness-probe-required": "disabled" } });
    expect(all.filter((r) => r.type.endsWith("ValidatingAdmissionPolicy")).map((r) => r.inputs.metadata.name)).toEqual([
      "crashguard-resources-required",
      "crashguard-resource-values-valid",
    ]);
  });

  it("fails at construction on a cluster older than 1.30, or on a bad bound, saying why", () => {
    expect(() => new AdmissionGuard("old", { kubernetesVersion: "1.29.7" })).toThrow(
      /needs Kubernetes 1\.30 or later, and the cluster runs 1\.29\.7/,
    );
    expect(() => new AdmissionGuard("bad", { configs: { "resource-values-valid": { maxCpuLimit: "2 cores" } } })).toThrow(
      /resource-values-valid\.maxCpuLimit/,
    );
  });

  it("checks a version known only later, before any policy is created", async () => {
    expect(() => checkKubernetesVersion("g", "v1.30")).not.toThrow();
    expect(() => checkKubernetesVersion("g", "1.31.2")).not.toThrow();
    expect(() => checkKubernetesVersion("g", "2.0")).not.toThrow();
    expect(() => checkKubernetesVersion("g", "latest")).toThrow(/cannot read Kubernetes version "latest"/);
    const all = await create({ kubernetesVersion: pulumi.output("1.31.1") });
    expect(all.filter((r) => r.type.endsWith("ValidatingAdmissionPolicy"))).toHaveLength(4);
  });
});
