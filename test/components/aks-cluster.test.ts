import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { mockPulumi, valueOf } from "./mocks";
import { deployerPrincipalType } from "../../components/aks-access";
import {
  ACR_PULL_ROLE,
  AKS_RBAC_CLUSTER_ADMIN_ROLE,
  AKS_SERVER_ID,
  AksCluster,
  type AksClusterArgs,
  SPOT_TAINT,
  kubeconfigForKubelogin,
} from "../../components/aks-cluster";

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
    "azure-native:authorization:getClientConfig": () => ({
      objectId: "deployer-oid",
      subscriptionId: "sub-1",
      tenantId: "tenant-1",
      clientId: "client-1",
    }),
  },
  outputs: {
    // What Azure computes: the cluster's name and the identity its kubelets pull images with.
    "azure-native:containerservice:ManagedCluster": () => ({
      name: "aks-1234",
      identityProfile: { kubeletidentity: { objectId: "kubelet-oid" } },
    }),
  },
});
beforeEach(() => mocks.reset());

/**
 * Registers an AksCluster under mocks. The provider's wait for the API server to honour the
 * grant is off here (there is no API server); aks-cluster-access.test.ts runs it against one.
 */
async function create(args: AksClusterArgs = {}) {
  const cluster = new AksCluster("aks", { location: "westeurope", accessWaitSeconds: 0, ...args });
  const all = await mocks.resources();
  const managed = all.find((r) => r.type === "azure-native:containerservice:ManagedCluster")!;
  const ofType = (type: string) => all.filter((r) => r.type === `azure-native:${type}`);
  return { cluster, all, inputs: managed.inputs, managed, ofType };
}

describe("AksCluster defaults", () => {
  it("registers the cluster, its resource group, maintenance windows, the deployer's grant and a Kubernetes provider as children of the component", async () => {
    const { all } = await create();
    const parent = "urn:pulumi:test::crashguard::crashguard:azure:AksCluster::aks";
    expect(all.map((r) => `${r.type} ${r.name} ${r.parent ?? "(root)"}`).sort()).toEqual([
      `azure-native:authorization:RoleAssignment aks-cluster-admin ${parent}`,
      `azure-native:containerservice:MaintenanceConfiguration aks-node-os-window ${parent}`,
      `azure-native:containerservice:MaintenanceConfiguration aks-upgrade-window ${parent}`,
      `azure-native:containerservice:ManagedCluster aks ${parent}`,
      `azure-native:resources:ResourceGroup aks-rg ${parent}`,
      "crashguard:azure:AksCluster aks (root)",
      `pulumi:providers:kubernetes aks-k8s ${parent}`,
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
    expect(inputs.addonProfiles).toEqual({
      azurepolicy: { enabled: true },
      azureKeyvaultSecretsProvider: { enabled: true, config: { enableSecretRotation: "true", rotationPollInterval: "2m" } },
    });
    expect(inputs.apiServerAccessProfile).toEqual({ enablePrivateCluster: false, disableRunCommand: true });
    expect(inputs.azureMonitorProfile).toBeUndefined();
    expect(inputs.metricsProfile).toBeUndefined();
  });

  it("splits a tainted, zonal, autoscaled system pool from an autoscaled user pool", async () => {
    const { inputs } = await create();
    const [system, user] = inputs.agentPoolProfiles;
    expect(system).toMatchObject({
      name: "system",
      mode: "System",
      count: 3,
      enableAutoScaling: true,
      minCount: 3,
      maxCount: 4,
      vmSize: "Standard_D4ds_v5",
      availabilityZones: ["1", "2", "3"],
      nodeTaints: ["CriticalAddonsOnly=true:NoSchedule"],
      upgradeSettings: { maxSurge: "33%" },
      osSKU: "AzureLinux",
    });
    expect(user).toMatchObject({
      name: "user",
      mode: "User",
      enableAutoScaling: true,
      minCount: 2,
      maxCount: 10,
      availabilityZones: ["1", "2", "3"],
    });
    expect(user.nodeTaints).toBeUndefined();
  });

  it("uses Azure CNI overlay with Cilium network policy", async () => {
    const { inputs } = await create();
    expect(inputs.networkProfile).toMatchObject({
      networkPlugin: "azure",
      networkPluginMode: "overlay",
      networkPolicy: "cilium",
      networkDataplane: "cilium",
      podCidr: "192.168.0.0/16",
      loadBalancerSku: "standard",
      outboundType: "loadBalancer",
    });
    // No service range given: azure-native sends AKS's documented default.
    expect(inputs.networkProfile).toMatchObject({ serviceCidr: "10.0.0.0/16", dnsServiceIP: "10.0.0.10" });
  });

  it("exports a secret kubeconfig that signs in with kubelogin's azurecli mode, and a provider that keeps it secret", async () => {
    const { cluster, all } = await create();
    expect(await pulumi.isSecret(cluster.kubeconfig)).toBe(true);
    const user = parse(await valueOf(cluster.kubeconfig)).users[0].user.exec;
    expect(user.args).toEqual([
      "get-token",
      "--login",
      "azurecli",
      "--server-id",
      AKS_SERVER_ID,
      "--tenant-id",
      "11111111-2222-3333-4444-555555555555",
      "--environment",
      "AzurePublicCloud",
    ]);
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
      systemNodeCount: 5,
      systemVmSize: "Standard_D8ds_v5",
      userMinCount: 0,
      userMaxCount: 3,
      zones: [],
      maxSurge: "1",
      networkPolicy: "calico",
      podCidr: "10.244.0.0/16",
      upgradeChannel: "patch",
      nodeOSUpgradeChannel: "SecurityPatch",
      skuTier: "Free",
      logAnalyticsWorkspaceId: "/subscriptions/s/workspaces/logs",
      defenderWorkspaceId: "/subscriptions/s/workspaces/sec",
      azurePolicy: false,
      imageCleaner: false,
      userAssignedIdentityId: "/subscriptions/s/identities/aks",
      kubernetesVersion: "1.33",
      nodeResourceGroup: "aks-nodes",
    });
    expect(inputs.agentPoolProfiles[0]).toMatchObject({
      count: 5,
      minCount: 5,
      maxCount: 5,
      vmSize: "Standard_D8ds_v5",
      availabilityZones: [],
      upgradeSettings: { maxSurge: "1" },
    });
    expect(inputs.agentPoolProfiles[1]).toMatchObject({ minCount: 0, maxCount: 3 });
    expect(inputs.networkProfile).toMatchObject({
      networkPlugin: "azure",
      networkPluginMode: "overlay",
      networkPolicy: "calico",
      podCidr: "10.244.0.0/16",
    });
    expect(inputs.networkProfile.networkDataplane).toBeUndefined();
    expect(inputs.autoUpgradeProfile).toEqual({ upgradeChannel: "patch", nodeOSUpgradeChannel: "SecurityPatch" });
    expect(inputs.sku.tier).toBe("Free");
    expect(inputs.addonProfiles.omsagent).toEqual({
      enabled: true,
      config: { logAnalyticsWorkspaceResourceID: "/subscriptions/s/workspaces/logs" },
    });
    expect(inputs.addonProfiles.azurepolicy).toBeUndefined();
    expect(inputs.securityProfile.defender).toEqual({
      logAnalyticsWorkspaceResourceId: "/subscriptions/s/workspaces/sec",
      securityMonitoring: { enabled: true },
    });
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
});

describe("AksCluster API server access", () => {
  it("restricts the public API server to authorized ranges", async () => {
    const { inputs } = await create({ authorizedIpRanges: ["203.0.113.0/24", "198.51.100.7"] });
    expect(inputs.apiServerAccessProfile).toEqual({
      enablePrivateCluster: false,
      disableRunCommand: true,
      authorizedIPRanges: ["203.0.113.0/24", "198.51.100.7"],
    });
  });

  it("makes the API server private and can allow run-command again", async () => {
    const { inputs } = await create({ privateCluster: true, disableRunCommand: false });
    expect(inputs.apiServerAccessProfile).toEqual({ enablePrivateCluster: true, disableRunCommand: false });
  });
});

describe("AksCluster planned maintenance", () => {
  const windows = (all: { type: string; inputs: any }[]) =>
    Object.fromEntries(
      all.filter((r) => r.type === "azure-native:containerservice:MaintenanceConfiguration").map((r) => [r.inputs.configName, r.inputs]),
    );

  it("confines both upgrade channels to a weekly Sunday window of the cluster", async () => {
    const { all } = await create({ resourceGroupName: "platform-rg" });
    const sunday = {
      schedule: { weekly: { dayOfWeek: "Sunday", intervalWeeks: 1 } },
      startTime: "00:00",
      durationHours: 4,
      utcOffset: "+00:00",
    };
    expect(windows(all)).toEqual({
      aksManagedAutoUpgradeSchedule: {
        configName: "aksManagedAutoUpgradeSchedule",
        resourceGroupName: "platform-rg",
        resourceName: "aks-1234",
        maintenanceWindow: sunday,
      },
      aksManagedNodeOSUpgradeSchedule: {
        configName: "aksManagedNodeOSUpgradeSchedule",
        resourceGroupName: "platform-rg",
        resourceName: "aks-1234",
        maintenanceWindow: sunday,
      },
    });
  });

  it("takes a window for Kubernetes upgrades and, separately, one for node images", async () => {
    const { all } = await create({
      upgradeWindow: { dayOfWeek: "Saturday", startTime: "22:00", durationHours: 6, utcOffset: "+01:00", intervalWeeks: 2 },
      nodeOSUpgradeWindow: { dayOfWeek: "Tuesday" },
    });
    const w = windows(all);
    expect(w.aksManagedAutoUpgradeSchedule.maintenanceWindow).toEqual({
      schedule: { weekly: { dayOfWeek: "Saturday", intervalWeeks: 2 } },
      startTime: "22:00",
      durationHours: 6,
      utcOffset: "+01:00",
    });
    expect(w.aksManagedNodeOSUpgradeSchedule.maintenanceWindow).toEqual({
      schedule: { weekly: { dayOfWeek: "Tuesday", intervalWeeks: 1 } },
      startTime: "00:00",
      durationHours: 4,
      utcOffset: "+00:00",
    });
  });

  it("uses the upgrade window for node images when no node-image window is given", async () => {
    const { all } = await create({ upgradeWindow: { dayOfWeek: "Wednesday", startTime: "03:30" } });
    expect(windows(all).aksManagedNodeOSUpgradeSchedule.maintenanceWindow).toEqual(
      windows(all).aksManagedAutoUpgradeSchedule.maintenanceWindow,
    );
    expect(windows(all).aksManagedNodeOSUpgradeSchedule.maintenanceWindow.startTime).toBe("03:30");
  });

  it("creates no window with plannedMaintenance: false", async () => {
    const { all } = await create({ plannedMaintenance: false });
    expect(windows(all)).toEqual({});
  });
});

describe("AksCluster monitoring", () => {
  const workspace = "/subscriptions/s/resourceGroups/ops/providers/Microsoft.OperationalInsights/workspaces/logs";

  it("sends the baseline's control-plane logs to the workspace, into resource-specific tables", async () => {
    const { ofType } = await create({ logAnalyticsWorkspaceId: workspace });
    expect(ofType("monitor:DiagnosticSetting").map((r) => r.inputs)).toEqual([
      {
        resourceUri: "aks-id",
        workspaceId: workspace,
        logAnalyticsDestinationType: "Dedicated",
        logs: ["cluster-autoscaler", "kube-controller-manager", "kube-audit-admin", "guard"].map((category) => ({
          category,
          enabled: true,
        })),
        metrics: [{ category: "AllMetrics", enabled: true }],
      },
    ]);
  });

  it("takes other log categories, and none means no diagnostic setting", async () => {
    const chosen = await create({ logAnalyticsWorkspaceId: workspace, diagnosticLogCategories: ["kube-audit"] });
    expect(chosen.ofType("monitor:DiagnosticSetting")[0].inputs.logs).toEqual([{ category: "kube-audit", enabled: true }]);
    mocks.reset();
    expect((await create({ logAnalyticsWorkspaceId: workspace, diagnosticLogCategories: [] })).ofType("monitor:DiagnosticSetting")).toEqual(
      [],
    );
  });

  it("has no diagnostic setting without a workspace", async () => {
    const { ofType } = await create();
    expect(ofType("monitor:DiagnosticSetting")).toEqual([]);
  });

  it("turns on managed Prometheus and cost analysis when asked", async () => {
    const { inputs } = await create({ prometheusMetrics: true, costAnalysis: true });
    expect(inputs.azureMonitorProfile).toEqual({ metrics: { enabled: true } });
    expect(inputs.metricsProfile).toEqual({ costAnalysis: { enabled: true } });
  });
});

describe("AksCluster add-ons", () => {
  it("rotates Key Vault secrets at the interval given, or leaves the CSI driver out", async () => {
    expect((await create({ secretRotationInterval: "10m" })).inputs.addonProfiles.azureKeyvaultSecretsProvider).toEqual({
      enabled: true,
      config: { enableSecretRotation: "true", rotationPollInterval: "10m" },
    });
    mocks.reset();
    expect((await create({ keyVaultSecretsProvider: false })).inputs.addonProfiles.azureKeyvaultSecretsProvider).toBeUndefined();
  });
});

describe("AksCluster network", () => {
  it("puts every pool in the given subnet and takes the egress type and service range", async () => {
    const { inputs, ofType } = await create({
      vnetSubnetId: "/subscriptions/s/vnets/hub/subnets/nodes",
      outboundType: "userDefinedRouting",
      serviceCidr: "172.16.0.0/16",
      dnsServiceIp: "172.16.0.10",
      nodePools: [{ name: "batch" }, { name: "own", vnetSubnetId: "/subscriptions/s/vnets/hub/subnets/own" }],
    });
    expect(inputs.networkProfile).toMatchObject({
      outboundType: "userDefinedRouting",
      serviceCidr: "172.16.0.0/16",
      dnsServiceIP: "172.16.0.10",
    });
    expect(inputs.agentPoolProfiles.map((p: any) => p.vnetSubnetID)).toEqual([
      "/subscriptions/s/vnets/hub/subnets/nodes",
      "/subscriptions/s/vnets/hub/subnets/nodes",
    ]);
    expect(ofType("containerservice:AgentPool").map((r) => r.inputs.vnetSubnetID)).toEqual([
      "/subscriptions/s/vnets/hub/subnets/nodes",
      "/subscriptions/s/vnets/hub/subnets/own",
    ]);
  });
});

describe("AksCluster node pools", () => {
  it("creates each additional pool as an AgentPool of the cluster with the baseline's settings", async () => {
    const { ofType } = await create({ resourceGroupName: "platform-rg", nodePools: [{ name: "teama" }] });
    expect(ofType("containerservice:AgentPool").map((r) => [r.name, r.inputs])).toEqual([
      [
        "aks-teama",
        {
          resourceGroupName: "platform-rg",
          resourceName: "aks-1234",
          agentPoolName: "teama",
          mode: "User",
          vmSize: "Standard_D4ds_v5",
          enableAutoScaling: true,
          minCount: 2,
          maxCount: 10,
          count: 2,
          availabilityZones: ["1", "2", "3"],
          osType: "Linux",
          osSKU: "AzureLinux",
          upgradeSettings: { maxSurge: "33%" },
        },
      ],
    ]);
  });

  it("takes size, zones, taints, labels and surge per pool", async () => {
    const { ofType } = await create({
      nodePools: [
        {
          name: "gpu",
          vmSize: "Standard_NC4as_T4_v3",
          minCount: 0,
          maxCount: 2,
          zones: ["1"],
          taints: ["sku=gpu:NoSchedule"],
          labels: { team: "ml" },
          maxSurge: "1",
        },
      ],
    });
    expect(ofType("containerservice:AgentPool")[0].inputs).toMatchObject({
      vmSize: "Standard_NC4as_T4_v3",
      minCount: 0,
      maxCount: 2,
      count: 0,
      availabilityZones: ["1"],
      nodeTaints: ["sku=gpu:NoSchedule"],
      nodeLabels: { team: "ml" },
      upgradeSettings: { maxSurge: "1" },
    });
  });

  it("makes a spot pool evict by deletion, carry AKS's spot taint, start empty and skip surge settings", async () => {
    const { ofType } = await create({ nodePools: [{ name: "spot", spot: true, taints: ["team=batch:NoSchedule"] }] });
    const spot = ofType("containerservice:AgentPool")[0].inputs;
    expect(spot).toMatchObject({
      scaleSetPriority: "Spot",
      scaleSetEvictionPolicy: "Delete",
      spotMaxPrice: -1,
      minCount: 0,
      count: 0,
      nodeTaints: ["team=batch:NoSchedule", SPOT_TAINT],
    });
    expect(spot.upgradeSettings).toBeUndefined();
  });

  it("leaves regular pools on regular VMs", async () => {
    const { ofType } = await create({ nodePools: [{ name: "web" }] });
    expect(ofType("containerservice:AgentPool")[0].inputs.scaleSetPriority).toBeUndefined();
    expect(ofType("containerservice:AgentPool")[0].inputs.nodeTaints).toBeUndefined();
  });
});

describe("AksCluster overrides, the escape hatch", () => {
  it("deep-merges any ManagedCluster field last: objects key by key, arrays replaced", async () => {
    const { inputs } = await create({
      overrides: {
        networkProfile: { loadBalancerProfile: { managedOutboundIPs: { count: 2 } } },
        autoUpgradeProfile: { upgradeChannel: "rapid" },
        apiServerAccessProfile: { enableVnetIntegration: true },
        disableLocalAccounts: false,
        aadProfile: { adminGroupObjectIDs: ["break-glass"] },
      },
    });
    expect(inputs.networkProfile).toMatchObject({
      networkPlugin: "azure",
      networkPolicy: "cilium",
      loadBalancerProfile: { managedOutboundIPs: { count: 2 } },
    });
    expect(inputs.autoUpgradeProfile).toEqual({ upgradeChannel: "rapid", nodeOSUpgradeChannel: "NodeImage" });
    expect(inputs.apiServerAccessProfile).toEqual({ enablePrivateCluster: false, disableRunCommand: true, enableVnetIntegration: true });
    expect(inputs.disableLocalAccounts).toBe(false);
    expect(inputs.aadProfile).toEqual({ managed: true, enableAzureRBAC: true, adminGroupObjectIDs: ["break-glass"] });
  });

  it("replaces arrays such as the inline pools whole", async () => {
    const { inputs } = await create({ overrides: { agentPoolProfiles: [{ name: "only", mode: "System", count: 1 }] } });
    expect(inputs.agentPoolProfiles).toEqual([{ name: "only", mode: "System", count: 1 }]);
  });
});

describe("AksCluster access for the deploying identity", () => {
  // The deployer counts as a user signed in with `az login` unless the environment names a service principal.
  const signIn = { ARM_CLIENT_ID: process.env.ARM_CLIENT_ID, ARM_USE_MSI: process.env.ARM_USE_MSI };
  beforeEach(() => {
    delete process.env.ARM_CLIENT_ID;
    delete process.env.ARM_USE_MSI;
  });
  afterAll(() => Object.assign(process.env, JSON.parse(JSON.stringify(signIn))));

  const clusterUrn = "urn:pulumi:test::crashguard::crashguard:azure:AksCluster$azure-native:containerservice:ManagedCluster::aks";
  const grantUrn = "urn:pulumi:test::crashguard::crashguard:azure:AksCluster$azure-native:authorization:RoleAssignment::aks-cluster-admin";
  const role = (id: string) => `/subscriptions/sub-1/providers/Microsoft.Authorization/roleDefinitions/${id}`;

  it("grants the deploying identity Azure Kubernetes Service RBAC Cluster Admin on the cluster", async () => {
    const { ofType } = await create();
    const [grant] = ofType("authorization:RoleAssignment");
    expect(grant.inputs).toMatchObject({
      principalId: "deployer-oid",
      principalType: "User",
      roleDefinitionId: role(AKS_RBAC_CLUSTER_ADMIN_ROLE),
      scope: "aks-id",
    });
    expect(grant.dependencies).toContain(clusterUrn);
  });

  it("takes the deployer for a service principal when azure-native signs in with a client id or a managed identity", () => {
    expect(deployerPrincipalType({})).toBe("User");
    expect(deployerPrincipalType({ ARM_CLIENT_ID: "11111111-2222-3333-4444-555555555555" })).toBe("ServicePrincipal");
    expect(deployerPrincipalType({ ARM_USE_MSI: "true" })).toBe("ServicePrincipal");
    expect(deployerPrincipalType({ ARM_USE_MSI: "false" })).toBe("User");
  });

  it("grants a given principal instead, with its type", async () => {
    const { ofType } = await create({ clusterAdminPrincipalId: "ci-sp-oid", clusterAdminPrincipalType: "ServicePrincipal" });
    expect(ofType("authorization:RoleAssignment").map((r) => r.inputs)).toEqual([
      expect.objectContaining({ principalId: "ci-sp-oid", principalType: "ServicePrincipal" }),
    ]);
  });

  it("makes the Kubernetes provider wait for the grant: it depends on it, and its kubeconfig comes through it", async () => {
    const { all } = await create();
    const provider = all.find((r) => r.type === "pulumi:providers:kubernetes")!;
    expect(provider.dependencies).toContain(grantUrn);
    expect(provider.propertyDependencies.kubeconfig).toContain(grantUrn);
  });

  it("grants nothing with grantDeployerClusterAdmin: false, and the provider then waits for nothing", async () => {
    const { all, ofType } = await create({ grantDeployerClusterAdmin: false, adminGroupObjectIds: ["ops"] });
    expect(ofType("authorization:RoleAssignment")).toEqual([]);
    expect(all.find((r) => r.type === "pulumi:providers:kubernetes")!.dependencies).toEqual([clusterUrn]);
  });

  it("lets the kubelet identity pull from each registry given", async () => {
    const acr = "/subscriptions/s/resourceGroups/ops/providers/Microsoft.ContainerRegistry/registries/acme";
    const { ofType } = await create({ acrIds: [acr] });
    const pulls = ofType("authorization:RoleAssignment").filter((r) => r.inputs.roleDefinitionId === role(ACR_PULL_ROLE));
    expect(pulls.map((r) => r.inputs)).toEqual([
      { principalId: "kubelet-oid", principalType: "ServicePrincipal", roleDefinitionId: role(ACR_PULL_ROLE), scope: acr },
    ]);
  });
});

describe("kubeconfigForKubelogin", () => {
  it.each([
    [
      "workloadidentity",
      [
        "get-token",
        "--login",
        "workloadidentity",
        "--server-id",
        AKS_SERVER_ID,
        "--tenant-id",
        "11111111-2222-3333-4444-555555555555",
        "--environment",
        "AzurePublicCloud",
      ],
    ],
    [
      "spn",
      [
        "get-token",
        "--login",
        "spn",
        "--server-id",
        AKS_SERVER_ID,
        "--tenant-id",
        "11111111-2222-3333-4444-555555555555",
        "--environment",
        "AzurePublicCloud",
      ],
    ],
    [
      "devicecode",
      [
        "get-token",
        "--login",
        "devicecode",
        "--server-id",
        AKS_SERVER_ID,
        "--client-id",
        "80faf920-1908-4b52-b5ef-a8e7bedfc67a",
        "--tenant-id",
        "11111111-2222-3333-4444-555555555555",
        "--environment",
        "AzurePublicCloud",
      ],
    ],
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
