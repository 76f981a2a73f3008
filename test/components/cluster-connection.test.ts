import * as pulumi from "@pulumi/pulumi";
import { Provider } from "@pulumi/kubernetes/provider";
import { mockPulumi } from "./mocks";
import { AksCluster } from "../../components/aks-cluster";
import { kubernetesProvider, verifierKubeconfig } from "../../components/cluster-connection";
import { Workload, type WorkloadArgs } from "../../components/workload";

const KUBECONFIG = "apiVersion: v1\nkind: Config\nclusters: []\n";
const mocks = mockPulumi({
  calls: {
    "azure-native:containerservice:listManagedClusterUserCredentials": () => ({
      kubeconfigs: [{ name: "clusterUser", value: Buffer.from(KUBECONFIG).toString("base64") }],
    }),
  },
});
beforeEach(() => mocks.reset());

const image = "ghcr.io/acme/api:1.4.2";
const construct = (args: Partial<WorkloadArgs>, opts: pulumi.ComponentResourceOptions) => () =>
  new Workload("api", { image, ...args }, opts);

describe("a verifying Workload watches the cluster it deploys to", () => {
  it("refuses, at construction, a provider whose kubeconfig it cannot know, naming `kubeconfig` and `verify: false`", async () => {
    const provider = new Provider("theirs", { kubeconfig: KUBECONFIG });
    expect(construct({}, { provider })).toThrow(
      /Workload "api": cannot tell which cluster to verify the rollout on.*`kubeconfig`.*`verify: false`/s,
    );
    const registered = await mocks.resources();
    expect(registered.filter((r) => r.type === "crashguard:k8s:Workload")).toEqual([]);
  });

  it("refuses the same provider when a parent component hands it down", () => {
    const provider = new Provider("theirs", { kubeconfig: KUBECONFIG });
    const parent = new pulumi.ComponentResource("acme:app:Stack", "app", {}, { providers: [provider] });
    expect(construct({}, { parent })).toThrow(/`kubeconfig`/);
  });

  it("accepts AksCluster's provider, and verifies with the cluster's kubeconfig", async () => {
    const cluster = new AksCluster("aks", { location: "westeurope", accessWaitSeconds: 0 });
    expect(construct({}, { provider: cluster.provider })).not.toThrow();
    expect(verifierKubeconfig("api", undefined, { provider: cluster.provider })).toBe(cluster.kubeconfig);
  });

  it("accepts a provider made with kubernetesProvider, also through a parent, and uses its kubeconfig", () => {
    const kubeconfig = pulumi.secret(KUBECONFIG);
    const provider = kubernetesProvider("cluster", { kubeconfig });
    const parent = new pulumi.ComponentResource("acme:app:Stack", "app", {}, { providers: { kubernetes: provider } });
    expect(construct({}, { parent })).not.toThrow();
    expect(verifierKubeconfig("api", undefined, { parent })).toBe(kubeconfig);
  });

  it('takes an explicit kubeconfig, the machine\'s only when asked for with "ambient", and needs none with verify: false', () => {
    const provider = new Provider("theirs", { kubeconfig: KUBECONFIG });
    expect(verifierKubeconfig("api", KUBECONFIG, { provider })).toBe(KUBECONFIG);
    expect(verifierKubeconfig("api", "ambient", { provider })).toBeUndefined();
    expect(construct({ kubeconfig: "ambient" }, { provider })).not.toThrow();
    expect(construct({ verify: false }, { provider })).not.toThrow();
  });

  it("with no provider, verifies where the default provider deploys: the machine's kubeconfig", () => {
    expect(verifierKubeconfig("api", undefined, {})).toBeUndefined();
  });
});
