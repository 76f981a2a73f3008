import { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from "kubernetes-models/admissionregistration.k8s.io/v1";
import { ConfigMap } from "kubernetes-models/v1";
import type {
  ValidatingAdmissionPolicy as VAP,
  ValidatingAdmissionPolicyBinding as Binding,
} from "kubernetes-types/admissionregistration/v1";
import { admissionPolicies, type AdmissionObject, BOUNDS_CONFIGMAP } from "../../admission";
import { admit } from "../support/admission-eval";
import { decode } from "../support/api-decode";
import { unknownFields } from "../support/strict-shape";

const STRICT = { configs: { "resource-values-valid": { maxMemoryLimitToRequestRatio: 2, minCpuRequest: "100m" } } };

function validateSchema(o: AdmissionObject): void {
  const model =
    o.kind === "ConfigMap"
      ? ConfigMap
      : o.kind === "ValidatingAdmissionPolicy"
        ? ValidatingAdmissionPolicy
        : ValidatingAdmissionPolicyBinding;
  new model(o as never).validate();
}

const policies = (objects: AdmissionObject[]) => objects.filter((o): o is VAP => o.kind === "ValidatingAdmissionPolicy");
const bindings = (objects: AdmissionObject[]) => objects.filter((o): o is Binding => o.kind === "ValidatingAdmissionPolicyBinding");

describe("generated admission objects", () => {
  it.each([
    ["defaults", {}],
    ["bounds and levels", { ...STRICT, levels: { "liveness-probe-required": "mandatory" as const } }],
  ])("pass the Kubernetes schemas with no unknown field (%s)", (_name, settings) => {
    const objects = admissionPolicies(settings);
    expect(objects.length).toBeGreaterThanOrEqual(8);
    for (const o of objects) {
      expect(() => validateSchema(o)).not.toThrow();
      expect(unknownFields(o)).toEqual([]);
    }
  });

  it("the strict check catches a misspelt field the schema validator lets through", () => {
    const policy = JSON.parse(JSON.stringify(policies(admissionPolicies())[0]));
    policy.spec.validations[0].messageExpresion = policy.spec.validations[0].messageExpression;
    expect(unknownFields(policy)).toEqual(["ValidatingAdmissionPolicy.spec.validations[0].messageExpresion"]);
  });

  it("binds mandatory rules with Deny and advisory ones with Warn + Audit, and never blocks on an advisory rule's error", () => {
    const objects = admissionPolicies({ levels: { "readiness-probe-required": "advisory", "resources-required": "remediate" } });
    const actions = Object.fromEntries(bindings(objects).map((b) => [b.spec!.policyName, b.spec!.validationActions]));
    expect(actions).toEqual({
      "crashguard-resources-required": ["Deny"],
      "crashguard-resource-values-valid": ["Deny"],
      "crashguard-readiness-probe-required": ["Warn", "Audit"],
      "crashguard-liveness-probe-required": ["Warn", "Audit"],
    });
    const failure = Object.fromEntries(policies(objects).map((p) => [p.metadata!.name, p.spec!.failurePolicy]));
    expect(failure["crashguard-readiness-probe-required"]).toBe("Ignore");
    expect(failure["crashguard-resources-required"]).toBe("Fail");
  });

  it("leaves disabled rules out, and rules without CEL (probe-sanity, spec-readable, exemption-valid)", () => {
    const names = policies(admissionPolicies({ levels: { "liveness-probe-required": "disabled" } })).map((p) => p.metadata!.name);
    expect(names).toEqual(["crashguard-resources-required", "crashguard-resource-values-valid", "crashguard-readiness-probe-required"]);
  });

  it("reads bounds from a ConfigMap the binding requires, so a missing ConfigMap denies rather than disables", () => {
    const objects = admissionPolicies(STRICT);
    expect(objects[0]).toMatchObject({
      kind: "ConfigMap",
      metadata: { name: BOUNDS_CONFIGMAP, namespace: "kube-system" },
      data: { maxMemoryLimitToRequestRatio: "2", minCpuRequest: "100m" },
    });
    const binding = bindings(objects).find((b) => b.spec!.policyName === "crashguard-resource-values-valid")!;
    expect(binding.spec!.paramRef).toEqual({ name: BOUNDS_CONFIGMAP, namespace: "kube-system", parameterNotFoundAction: "Deny" });
    expect(policies(objects).find((p) => p.metadata!.name === "crashguard-resource-values-valid")!.spec!.paramKind).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
    });
  });

  it("refuses a bound that is not a quantity, naming the rule and field", () => {
    expect(() => admissionPolicies({ configs: { "resource-values-valid": { maxMemoryLimit: "2GB" } } })).toThrow(
      /resource-values-valid\.maxMemoryLimit: "2GB" is not a Kubernetes quantity/,
    );
  });

  it("matches every workload shape on create and update", () => {
    const rules = policies(admissionPolicies())[0].spec!.matchConstraints!.resourceRules! as Array<{
      apiGroups?: string[];
      operations?: string[];
      resources?: string[];
    }>;
    expect(rules.flatMap((r) => r.resources!.map((res) => `${r.apiGroups![0]}/${res}`)).sort()).toEqual([
      "/pods",
      "apps/daemonsets",
      "apps/deployments",
      "apps/replicasets",
      "apps/statefulsets",
      "batch/cronjobs",
      "batch/jobs",
    ]);
    expect(new Set(rules.flatMap((r) => r.operations))).toEqual(new Set(["CREATE", "UPDATE"]));
  });

  it("names the rule, the workload, the container and the fix in the denial message", () => {
    const policy = policies(admissionPolicies()).find((p) => p.metadata!.name === "crashguard-resources-required")!;
    const pod = decode({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "api", namespace: "shop" },
      spec: { containers: [{ name: "web", image: "web:1" }] },
    });
    if (!pod.ok) throw new Error(pod.reason);
    const result = admit(policy, pod.object, null);
    expect(result.allowed).toBe(false);
    expect(result.messages[0]).toMatch(
      /^crashguard resources-required: Pod shop\/api: .* in container web\. Fix: set resources\.requests \{cpu: 250m, memory: 256Mi\} and resources\.limits \{memory: 256Mi\}/,
    );
  });

  describe("controller-owned objects", () => {
    const owned = decode({
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: "api-7d9f-x2",
        namespace: "shop",
        ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "api-7d9f", uid: "u1", controller: true }],
      },
      spec: { containers: [{ name: "web", image: "web:1" }] },
    });

    it("are admitted unchecked by default: their owner was checked with the same template, and carries the exemption", () => {
      if (!owned.ok) throw new Error(owned.reason);
      const policy = policies(admissionPolicies())[0];
      expect(admit(policy, owned.object, null)).toMatchObject({ matched: false, allowed: true });
    });

    it("are checked with checkControllerOwned", () => {
      if (!owned.ok) throw new Error(owned.reason);
      const policy = policies(admissionPolicies({ checkControllerOwned: true }))[0];
      expect(admit(policy, owned.object, null)).toMatchObject({ matched: true, allowed: false, offending: ["web"] });
    });
  });
});
