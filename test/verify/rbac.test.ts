/** verify/rbac.yaml and the VerifierRbac component are both the rules table, nothing more. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parseAllDocuments } from "yaml";
import { RBAC_YAML_EXAMPLE, VERIFIER_RULES, clusterRoleManifest, rbacYaml, roleBindingManifest } from "../../verify/rbac-rules";

test("verify/rbac.yaml equals the rules table", () => {
  const text = readFileSync(join(__dirname, "..", "..", "verify", "rbac.yaml"), "utf8");
  expect(text).toBe(rbacYaml());
  const [role, binding] = parseAllDocuments(text).map((d) => d.toJS());
  expect(role).toEqual(clusterRoleManifest());
  expect(binding).toEqual(roleBindingManifest(RBAC_YAML_EXAMPLE.namespace, RBAC_YAML_EXAMPLE.subject));
  const granted = role.rules.flatMap((r: { apiGroups: string[]; resources: string[]; verbs: string[] }) =>
    r.resources.map((res) => `${r.apiGroups[0]}/${res}:${r.verbs.join(",")}`),
  );
  expect(granted.sort()).toEqual(VERIFIER_RULES.map((r) => `${r.apiGroup}/${r.resource}:${r.verbs.join(",")}`).sort());
  expect(JSON.stringify(role)).not.toMatch(/create|update|patch|delete|"\*"|secrets/);
});

describe("VerifierRbac component", () => {
  const created: { type: string; name: string; inputs: Record<string, unknown> }[] = [];
  beforeAll(() =>
    pulumi.runtime.setMocks({
      newResource: (a) => {
        created.push({ type: a.type, name: a.name, inputs: a.inputs });
        return { id: a.name, state: a.inputs };
      },
      call: () => ({}),
    }),
  );

  test("one ClusterRole from the table and a RoleBinding per namespace, parented to the component", async () => {
    const { VerifierRbac } = await import("../../components/verifier-rbac");
    const rbac = new VerifierRbac("verifier", { namespaces: ["shop", "billing"], subjectName: "deployer", subjectNamespace: "ci" });
    await new Promise<string>((resolve) => rbac.clusterRoleName.apply(resolve));
    // The bindings register after the role they depend on.
    await new Promise((r) => setTimeout(r, 200));
    expect(created.map((c) => `${c.type} ${c.name}`).sort()).toEqual([
      "crashguard:k8s:VerifierRbac verifier",
      "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole verifier-role",
      "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding verifier-billing",
      "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding verifier-shop",
    ]);
    const role = created.find((c) => c.type.endsWith("ClusterRole"))!;
    expect(role.inputs.rules).toEqual(clusterRoleManifest().rules);
    const binding = created.find((c) => c.name === "verifier-billing")!;
    expect(binding.inputs).toMatchObject({
      metadata: { namespace: "billing" },
      subjects: [{ kind: "ServiceAccount", name: "deployer", namespace: "ci" }],
    });
    expect(created.some((c) => c.type.endsWith("ClusterRoleBinding"))).toBe(false);
  });
});
