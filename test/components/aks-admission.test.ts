/** `AksCluster({ admissionGuard })`: the rules enforced by the new cluster's own API server, through its provider. */
import { mockPulumi } from "./mocks";
import { AksCluster } from "../../components/aks-cluster";

const version = "1.31.2";
const mocks = mockPulumi({
  calls: {
    "azure-native:containerservice:listManagedClusterUserCredentials": () => ({
      kubeconfigs: [{ name: "clusterUser", value: Buffer.from("apiVersion: v1\nkind: Config\n").toString("base64") }],
    }),
    "azure-native:authorization:getClientConfig": () => ({ objectId: "deployer-oid", subscriptionId: "sub-1" }),
  },
  outputs: { "azure-native:containerservice:ManagedCluster": () => ({ name: "aks-1234", currentKubernetesVersion: version }) },
});
beforeEach(() => mocks.reset());

test("is off by default: no admission policies in a platform that did not ask", async () => {
  new AksCluster("aks", { location: "westeurope", accessWaitSeconds: 0 });
  expect((await mocks.resources()).filter((r) => r.type.includes("admissionregistration"))).toEqual([]);
});

test("admissionGuard: true deploys the policies and bindings through the cluster's provider", async () => {
  new AksCluster("aks", { location: "westeurope", accessWaitSeconds: 0, admissionGuard: true });
  const all = await mocks.resources();
  const provider = all.find((r) => r.type === "pulumi:providers:kubernetes")!;
  const policies = all.filter((r) => r.type === "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy");
  expect(policies.map((p) => p.inputs.metadata.name)).toContain("crashguard-resources-required");
  for (const p of policies) expect(p.provider).toContain(provider.urn);
});

test("takes the guard's own arguments, e.g. a rule turned off", async () => {
  new AksCluster("aks", {
    location: "westeurope",
    accessWaitSeconds: 0,
    admissionGuard: { levels: { "liveness-probe-required": "disabled" } },
  });
  const names = (await mocks.resources()).filter((r) => r.type.endsWith("ValidatingAdmissionPolicy")).map((r) => r.inputs.metadata.name);
  expect(names).not.toContain("crashguard-liveness-probe-required");
  expect(names).toContain("crashguard-readiness-probe-required");
});
