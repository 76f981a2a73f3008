import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { mockPulumi, valueOf } from "./mocks";
import { AKS_SERVER_ID, AksCluster, AksClusterArgs, kubeconfigForKubelogin } from "../../components/aks-cluster";

/** What AKS returns for `listClusterUserCredential?format=exec` on an Entra ID cluster (base64 in `value`). */
const USER_KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
  - name: aks
    cluster:
      certificate-authority-data: LS0tLS1CRUdJTg==
      server: https://aks-dns-abc123.hcp.westeurope.azmk8s.io:443
contexts:
  - name: aks
    context: { cluster: aks, user: clusterUser_rg_aks }
current-context: aks
users:
  - name: clusterUser_rg_aks
    user:
      exec:
        apiVersion: client.authentication.k8s.io/v1beta1
        command: kubelogin
        args: [get-token, --environment, AzurePublicCloud, --server-id, ${AKS_SERVER_ID}, --client-id, 80faf920-1908-4b52-b5ef-a8e7bedfc67a, --tenant-id, 11111111-2222-3333-4444-555555555555, --login, devicecode]
`;
const ADMIN_KUBECONFIG = "apiVersion: v1\nkind: Config\nusers:\n  - name: clusterAdmin\n    user: { client-key-data: c2VjcmV0LWtleQ== }\n";
const credentials = (text: string) => () => ({ kubeconfigs: [{ name: "clusterUser", value: Buffer.from(text).toString("base64") }] });

const mocks = mockPulumi({
  calls: {
    "azure-native:containerservice:listManagedClusterUserCredentials": credentials(USER_KUBECONFIG),
    "azure-native:containerservice:listManagedClusterAdminCredentials": credentials(ADMIN_KUBECONFIG),
  },
});
beforeEach(() => mocks.reset());

async function create(args: AksClusterArgs = {}) {
  const cluster = new AksCluster("aks", { location: "westeurope", ...args });
  const all = await mocks.resources();
  const managed = all.find((r) => r.type === "azure-native:containerservice:ManagedCluster")!;
  return { cluster, all, inputs: managed.inputs, managed };
}

describe("AksCluster defaults", () => {
  it("registers the cluster, its resource group and a Kubernetes provider as children of the component", async () => {
    const { all } = await create();
    const parent = "urn:pulumi:test::crashguard::crashguard:azure:AksCluster::aks";
    expect(all.map((r) => `${r.type} ${r.parent ?? "(root)"}`).sort()).toEqual([
      "azure-native:containerservice:ManagedCluster " + parent,
      "azure-native:resources:ResourceGroup " + parent,
      "crashguard:azure:AksCluster (root)",
      "pulumi:providers:kubernetes " + parent,
    ]);
  });

  it("turns on identity, Entra ID with Azure RBAC, no local accounts, OIDC and workload identity", async () => {
    const { inputs } = await create({ adminGroupObjectIds: ["ops-group"] });
    expect(inputs.identity).toEqual({ type: "SystemAssigned" });
    expect(inputs.aadProfile).toEqual({ managed: true, enableAzureRBAC: true, adminGroupObjectIDs: ["ops-group"] });
    expect(inputs.disableLocalAccounts).toBe(true);
    expect(inputs.oidcIssuerProfile).toEqual({ enabled: true });
    expect(inputs.securityProfile).toEqual({ workloadIdentity: { enabled: true }, imageCleaner: { enabled: true, intervalHours: 168 } });
    expect(inputs.sku).toEqual({ name: "Base", tier: "Standard" });
    expect(inputs.autoUpgradeProfile).toEqual({ upgradeChannel: "stable", nodeOSUpgradeChannel: "NodeImage" });
    expect(inputs.addonProfiles).toEqual({ azurepolicy: { enabled: true } });
  });

  it("splits a tainted, zonal system pool from an autoscaled user pool", async () => {
    const { inputs } = await create();
    const [system, user] = inputs.agentPoolProfiles;
    expect(system).toMatchObject({
      name: "system", mode: "System", count: 3, vmSize: "Standard_D4ds_v5", availabilityZones: ["1", "2", "3"],
      nodeTaints: ["CriticalAddonsOnly=true:NoSchedule"], upgradeSettings: { maxSurge: "33%" },
    });
    expect(user).toMatchObject({ name: "user", mode: "User", enableAutoScaling: true, minCount: 2, maxCount: 10, availabilityZones: ["1", "2", "3"] });
    expect(user.nodeTaints).toBeUndefined();
  });

  it("uses Azure CNI overlay with Cilium network policy", async () => {
    const { inputs } = await create();
    expect(inputs.networkProfile).toMatchObject({
      networkPlugin: "azure", networkPluginMode: "overlay", networkPolicy: "cilium", networkDataplane: "cilium", podCidr: "192.168.0.0/16", loadBalancerSku: "standard",
    });
  });

  it("exports a secret kubeconfig that signs in with kubelogin's azurecli mode, and a provider that keeps it secret", async () => {
    const { cluster, all } = await create();
    expect(await pulumi.isSecret(cluster.kubeconfig)).toBe(true);
    const user = parse(await valueOf(cluster.kubeconfig)).users[0].user.exec;
    expect(user.args).toEqual(["get-token", "--login", "azurecli", "--server-id", AKS_SERVER_ID, "--tenant-id", "11111111-2222-3333-4444-555555555555", "--environment", "AzurePublicCloud"]);
    const provider = all.find((r) => r.type === "pulumi:providers:kubernetes")!;
    expect(provider.inputs.kubeconfig).toMatchObject({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" });
  });

  it("names the cluster's outputs for what users do with them", async () => {
    const { cluster } = await create({ resourceGroupName: "platform-rg" });
    expect(await valueOf(cluster.resourceGroupName)).toBe("platform-rg");
    expect(cluster.clusterName).toBe(cluster.cluster.name);
    expect(cluster.nodeResourceGroup).toBe(cluster.cluster.nodeResourceGroup);
  });
});

describe("AksCluster overrides", () => {
  it("uses an existing resource group instead of creating one", async () => {
    const { all, inputs } = await create({ resourceGroupName: "platform-rg" });
    expect(all.map((r) => r.type)).not.toContain("azure-native:resources:ResourceGroup");
    expect(inputs.resourceGroupName).toBe("platform-rg");
  });

  it("takes every sizing, network, upgrade and add-on override", async () => {
    const { inputs } = await create({
      systemNodeCount: 5, systemVmSize: "Standard_D8ds_v5", userMinCount: 0, userMaxCount: 3, zones: [], maxSurge: "1",
      networkPolicy: "calico", podCidr: "10.244.0.0/16", upgradeChannel: "patch", nodeOSUpgradeChannel: "SecurityPatch", skuTier: "Free",
      logAnalyticsWorkspaceId: "/subscriptions/s/workspaces/logs", defenderWorkspaceId: "/subscriptions/s/workspaces/sec", azurePolicy: false,
      imageCleaner: false, userAssignedIdentityId: "/subscriptions/s/identities/aks", kubernetesVersion: "1.33", nodeResourceGroup: "aks-nodes",
    });
    expect(inputs.agentPoolProfiles[0]).toMatchObject({ count: 5, vmSize: "Standard_D8ds_v5", availabilityZones: [], upgradeSettings: { maxSurge: "1" } });
    expect(inputs.agentPoolProfiles[1]).toMatchObject({ minCount: 0, maxCount: 3 });
    expect(inputs.networkProfile).toMatchObject({ networkPlugin: "azure", networkPluginMode: "overlay", networkPolicy: "calico", podCidr: "10.244.0.0/16" });
    expect(inputs.networkProfile.networkDataplane).toBeUndefined();
    expect(inputs.autoUpgradeProfile).toEqual({ upgradeChannel: "patch", nodeOSUpgradeChannel: "SecurityPatch" });
    expect(inputs.sku.tier).toBe("Free");
    expect(inputs.addonProfiles).toEqual({ omsagent: { enabled: true, config: { logAnalyticsWorkspaceResourceID: "/subscriptions/s/workspaces/logs" } } });
    expect(inputs.securityProfile.defender).toEqual({ logAnalyticsWorkspaceResourceId: "/subscriptions/s/workspaces/sec", securityMonitoring: { enabled: true } });
    expect(inputs.securityProfile.imageCleaner.enabled).toBe(false);
    expect(inputs.identity).toEqual({ type: "UserAssigned", userAssignedIdentities: ["/subscriptions/s/identities/aks"] });
    expect(inputs.kubernetesVersion).toBe("1.33");
    expect(inputs.nodeResourceGroup).toBe("aks-nodes");
  });

  it("exports admin credentials only when local accounts are enabled, still secret", async () => {
    const { cluster, inputs } = await create({ adminCredentials: true, disableLocalAccounts: false });
    expect(inputs.disableLocalAccounts).toBe(false);
    expect(await pulumi.isSecret(cluster.kubeconfig)).toBe(true);
    expect(await valueOf(cluster.kubeconfig)).toBe(ADMIN_KUBECONFIG);
  });

  it("rejects impossible settings before anything is created, naming the field and the fix", () => {
    expect(() => new AksCluster("bad", { userMinCount: 5, userMaxCount: 2 })).toThrow('AksCluster "bad": userMinCount (5) is above userMaxCount (2); set userMaxCount to at least 5');
    expect(() => new AksCluster("bad", { systemNodeCount: 0 })).toThrow(/systemNodeCount must be a whole number of at least 1/);
    expect(() => new AksCluster("bad", { maxSurge: "lots" })).toThrow(/maxSurge must be a node count such as "1" or a percentage such as "33%"/);
    expect(() => new AksCluster("bad", { adminCredentials: true })).toThrow(/adminCredentials needs disableLocalAccounts: false/);
  });
});

describe("kubeconfigForKubelogin", () => {
  it.each([
    ["workloadidentity", ["get-token", "--login", "workloadidentity", "--server-id", AKS_SERVER_ID, "--tenant-id", "11111111-2222-3333-4444-555555555555", "--environment", "AzurePublicCloud"]],
    ["spn", ["get-token", "--login", "spn", "--server-id", AKS_SERVER_ID, "--tenant-id", "11111111-2222-3333-4444-555555555555", "--environment", "AzurePublicCloud"]],
    ["devicecode", ["get-token", "--login", "devicecode", "--server-id", AKS_SERVER_ID, "--client-id", "80faf920-1908-4b52-b5ef-a8e7bedfc67a", "--tenant-id", "11111111-2222-3333-4444-555555555555", "--environment", "AzurePublicCloud"]],
  ] as const)("rewrites the exec plugin for %s", (mode, args) => {
    const out = parse(kubeconfigForKubelogin(USER_KUBECONFIG, mode));
    expect(out.users[0].user.exec.args).toEqual(args);
    expect(out.clusters).toEqual(parse(USER_KUBECONFIG).clusters);
  });

  it("leaves kubeconfigs without kubelogin as they are", () => {
    expect(kubeconfigForKubelogin(ADMIN_KUBECONFIG, "azurecli")).toBe(ADMIN_KUBECONFIG);
    expect(kubeconfigForKubelogin("not: [a, kubeconfig", "azurecli")).toBe("not: [a, kubeconfig");
  });
});
