/**
 * `AksCluster`: an AKS cluster with secure, current defaults (after the AKS baseline reference
 * architecture), each overridable, and the outputs a platform repo hands to app stacks: a secret
 * kubeconfig and a Kubernetes provider for it.
 *
 *   const cluster = new AksCluster("aks", { location: "westeurope", adminGroupObjectIds: [opsGroupId] });
 *   new Workload("api", { image, kubeconfig: cluster.kubeconfig }, { provider: cluster.provider });
 */
import * as pulumi from "@pulumi/pulumi";
import { ManagedCluster, listManagedClusterAdminCredentialsOutput, listManagedClusterUserCredentialsOutput } from "@pulumi/azure-native/containerservice";
import { ResourceGroup } from "@pulumi/azure-native/resources";
import type { Provider } from "@pulumi/kubernetes/provider";
import { kubernetesProvider } from "./cluster-connection";
import { parseDocument } from "yaml";
import { definedOnly } from "./defaults";

export type KubeloginMode = "azurecli" | "workloadidentity" | "spn" | "devicecode";
export type NetworkPolicyEngine = "cilium" | "azure" | "calico";

export interface AksClusterArgs {
  /**
   * An existing resource group to create the cluster in. Default: a new resource group named after
   * the component, so a platform stack owns — and can delete — everything it creates.
   */
  resourceGroupName?: pulumi.Input<string>;
  /** Azure region. Default: the azure-native provider's `location` config. */
  location?: pulumi.Input<string>;
  /** Kubernetes version. Default: AKS's default version, which the `stable` upgrade channel then keeps current. */
  kubernetesVersion?: pulumi.Input<string>;
  /** DNS prefix of the API server. Default: the component name. */
  dnsPrefix?: pulumi.Input<string>;
  /**
   * Entra ID groups whose members administer the cluster through Azure RBAC. Default none: grant
   * "Azure Kubernetes Service RBAC Cluster Admin" on the cluster instead. With local accounts
   * disabled, Entra ID is the only way in.
   */
  adminGroupObjectIds?: pulumi.Input<string>[];
  /**
   * Keep the static admin account disabled. Default true: every action is tied to an Entra ID
   * identity and audited; a leaked admin kubeconfig cannot be revoked short of rotating the cluster CA.
   */
  disableLocalAccounts?: boolean;
  /** A user-assigned managed identity (resource id) for the control plane. Default: a system-assigned identity, which AKS manages and rotates. */
  userAssignedIdentityId?: pulumi.Input<string>;
  /** VM size of the system pool. Default Standard_D4ds_v5: 4 vCPU / 16 GiB with a local temp disk for ephemeral OS disks. */
  systemVmSize?: pulumi.Input<string>;
  /**
   * Nodes in the system pool. Default 3, one per zone: CoreDNS, metrics-server and konnectivity
   * keep running through a zone outage and a node upgrade at once.
   */
  systemNodeCount?: number;
  /** VM size of the user pool, where workloads run. Default Standard_D4ds_v5. */
  userVmSize?: pulumi.Input<string>;
  /** Fewest user-pool nodes the cluster autoscaler keeps. Default 2, so one node can drain for an upgrade without losing capacity. */
  userMinCount?: number;
  /** Most user-pool nodes the cluster autoscaler may add. Default 10. */
  userMaxCount?: number;
  /** Availability zones for both pools. Default ["1", "2", "3"]; set [] in regions without zones. */
  zones?: string[];
  /**
   * Extra nodes during a node-image or version upgrade, as a count or percentage. Default "33%",
   * the AKS baseline's: upgrades finish in three waves instead of one node at a time.
   */
  maxSurge?: string;
  /**
   * Network policy engine on Azure CNI overlay. Default "cilium" (with the Cilium dataplane):
   * eBPF policy enforcement, the engine AKS invests in. "azure" and "calico" remain available.
   */
  networkPolicy?: NetworkPolicyEngine;
  /** Pod address space of the overlay. Default 192.168.0.0/16, outside common VNet ranges. */
  podCidr?: pulumi.Input<string>;
  /** Kubernetes upgrade channel. Default "stable": patch releases arrive automatically, minor ones one behind latest. */
  upgradeChannel?: pulumi.Input<string>;
  /** Node OS upgrade channel. Default "NodeImage": weekly patched node images, rolled with maxSurge. */
  nodeOSUpgradeChannel?: pulumi.Input<string>;
  /** AKS pricing tier. Default "Standard": the financially backed API-server SLA and more control-plane capacity. */
  skuTier?: pulumi.Input<string>;
  /**
   * Log Analytics workspace (resource id) for Container Insights. Default none: monitoring off.
   * With it, pod restarts and OOMKills are kept beyond the cluster's own short event history.
   */
  logAnalyticsWorkspaceId?: pulumi.Input<string>;
  /** Microsoft Defender for Containers, reporting to this Log Analytics workspace (resource id). Default off. */
  defenderWorkspaceId?: pulumi.Input<string>;
  /** The Azure Policy add-on (Gatekeeper with Azure's policy sets, incl. Deployment Safeguards). Default true. */
  azurePolicy?: boolean;
  /** Image Cleaner removes unused, vulnerable images from nodes every `imageCleanerIntervalHours`. Default true. */
  imageCleaner?: boolean;
  /** Default 168 (weekly), matching the NodeImage channel's cadence. */
  imageCleanerIntervalHours?: number;
  /** Name of the node resource group AKS creates. Default: AKS's `MC_<group>_<cluster>_<region>`. */
  nodeResourceGroup?: pulumi.Input<string>;
  /**
   * Export the admin kubeconfig instead of the user one. Default false. Only works with
   * `disableLocalAccounts: false`: with local accounts disabled AKS refuses static admin
   * credentials ("Getting static credential is not allowed…").
   */
  adminCredentials?: boolean;
  /**
   * How the user kubeconfig's kubelogin exec plugin signs in. Default "azurecli", which uses the
   * `az login` of whoever runs `pulumi` or `kubectl`; "workloadidentity" for CI on federated
   * credentials, "spn" for a service principal from `AAD_SERVICE_PRINCIPAL_CLIENT_ID`/`_SECRET`,
   * "devicecode" for interactive use only.
   */
  kubeloginMode?: KubeloginMode;
  /** Tags on every Azure resource. Default none. */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** Entra ID's well-known application id of the AKS API server, the audience of every kubelogin token. */
export const AKS_SERVER_ID = "6dae42f8-4368-4678-94ff-3960e28e3630";

export const AKS_DEFAULTS = {
  systemVmSize: "Standard_D4ds_v5",
  systemNodeCount: 3,
  userVmSize: "Standard_D4ds_v5",
  userMinCount: 2,
  userMaxCount: 10,
  zones: ["1", "2", "3"],
  maxSurge: "33%",
  networkPolicy: "cilium" as NetworkPolicyEngine,
  podCidr: "192.168.0.0/16",
  upgradeChannel: "stable",
  nodeOSUpgradeChannel: "NodeImage",
  skuTier: "Standard",
  imageCleanerIntervalHours: 168,
  kubeloginMode: "azurecli" as KubeloginMode,
};

export class AksCluster extends pulumi.ComponentResource {
  public readonly cluster: ManagedCluster;
  /** Kubeconfig for the cluster (user credentials via kubelogin unless `adminCredentials`); always secret. */
  public readonly kubeconfig: pulumi.Output<string>;
  /** A Kubernetes provider for the cluster, for Workloads and anything else deployed into it. */
  public readonly provider: Provider;
  public readonly clusterName: pulumi.Output<string>;
  public readonly resourceGroupName: pulumi.Output<string>;
  /** Issuer URL for workload identity federation (federated credentials of managed identities). */
  public readonly oidcIssuerUrl: pulumi.Output<string | undefined>;
  public readonly nodeResourceGroup: pulumi.Output<string | undefined>;

  constructor(name: string, args: AksClusterArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
    validateAksArgs(name, args);
    super("crashguard:azure:AksCluster", name, {}, opts);
    const child = { parent: this };
    const d = { ...AKS_DEFAULTS, ...definedOnly(args) };

    const resourceGroupName = args.resourceGroupName !== undefined
      ? pulumi.output(args.resourceGroupName)
      : new ResourceGroup(`${name}-rg`, { location: args.location, tags: args.tags }, child).name;

    this.cluster = new ManagedCluster(name, {
      resourceGroupName,
      location: args.location,
      kubernetesVersion: args.kubernetesVersion,
      dnsPrefix: args.dnsPrefix ?? name,
      tags: args.tags,
      sku: { name: "Base", tier: d.skuTier },
      identity: args.userAssignedIdentityId !== undefined
        ? { type: "UserAssigned", userAssignedIdentities: [args.userAssignedIdentityId] }
        : { type: "SystemAssigned" },
      aadProfile: { managed: true, enableAzureRBAC: true, adminGroupObjectIDs: args.adminGroupObjectIds },
      disableLocalAccounts: d.disableLocalAccounts ?? true,
      enableRBAC: true,
      oidcIssuerProfile: { enabled: true },
      securityProfile: {
        workloadIdentity: { enabled: true },
        imageCleaner: { enabled: d.imageCleaner ?? true, intervalHours: d.imageCleanerIntervalHours },
        ...(args.defenderWorkspaceId !== undefined
          ? { defender: { logAnalyticsWorkspaceResourceId: args.defenderWorkspaceId, securityMonitoring: { enabled: true } } }
          : {}),
      },
      agentPoolProfiles: [
        {
          name: "system",
          mode: "System",
          vmSize: d.systemVmSize,
          count: d.systemNodeCount,
          availabilityZones: d.zones,
          osType: "Linux",
          osSKU: "AzureLinux",
          // Keeps application pods off the nodes that run the cluster's own add-ons.
          nodeTaints: ["CriticalAddonsOnly=true:NoSchedule"],
          upgradeSettings: { maxSurge: d.maxSurge },
        },
        {
          name: "user",
          mode: "User",
          vmSize: d.userVmSize,
          enableAutoScaling: true,
          minCount: d.userMinCount,
          maxCount: d.userMaxCount,
          count: d.userMinCount,
          availabilityZones: d.zones,
          osType: "Linux",
          osSKU: "AzureLinux",
          upgradeSettings: { maxSurge: d.maxSurge },
        },
      ],
      networkProfile: {
        networkPlugin: "azure",
        networkPluginMode: "overlay",
        networkPolicy: d.networkPolicy,
        ...(d.networkPolicy === "cilium" ? { networkDataplane: "cilium" } : {}),
        podCidr: d.podCidr,
        loadBalancerSku: "standard",
      },
      autoUpgradeProfile: { upgradeChannel: d.upgradeChannel, nodeOSUpgradeChannel: d.nodeOSUpgradeChannel },
      addonProfiles: {
        ...(args.logAnalyticsWorkspaceId !== undefined
          ? { omsagent: { enabled: true, config: { logAnalyticsWorkspaceResourceID: args.logAnalyticsWorkspaceId } } }
          : {}),
        ...(d.azurePolicy ?? true ? { azurepolicy: { enabled: true } } : {}),
      },
      nodeResourceGroup: args.nodeResourceGroup,
    }, child);

    const credentials = { resourceGroupName, resourceName: this.cluster.name };
    const raw = args.adminCredentials
      ? listManagedClusterAdminCredentialsOutput(credentials, child).kubeconfigs
      : listManagedClusterUserCredentialsOutput({ ...credentials, format: "exec" }, child).kubeconfigs;
    const mode = d.kubeloginMode;
    this.kubeconfig = pulumi.secret(raw.apply((kubeconfigs) => {
      const text = Buffer.from(kubeconfigs?.[0]?.value ?? "", "base64").toString("utf8");
      return args.adminCredentials ? text : kubeconfigForKubelogin(text, mode);
    }));
    this.provider = kubernetesProvider(`${name}-k8s`, { kubeconfig: this.kubeconfig }, child);
    this.clusterName = this.cluster.name;
    this.resourceGroupName = resourceGroupName;
    this.oidcIssuerUrl = this.cluster.oidcIssuerProfile.apply((p) => p?.issuerURL);
    this.nodeResourceGroup = this.cluster.nodeResourceGroup;
    this.registerOutputs({
      kubeconfig: this.kubeconfig, clusterName: this.clusterName, resourceGroupName: this.resourceGroupName,
      oidcIssuerUrl: this.oidcIssuerUrl, nodeResourceGroup: this.nodeResourceGroup,
    });
  }
}

/**
 * Rewrites the kubelogin exec plugin of an AKS user kubeconfig for a non-interactive login mode
 * (what `kubelogin convert-kubeconfig -l <mode>` does), so `pulumi up` and CI never stop at a
 * device-code prompt. Users without a kubelogin exec plugin are left as they are.
 */
export function kubeconfigForKubelogin(kubeconfig: string, mode: KubeloginMode): string {
  const doc = parseDocument(kubeconfig);
  const users = doc.toJS()?.users;
  if (!Array.isArray(users)) return kubeconfig;
  users.forEach((u: { user?: { exec?: { command?: string; args?: string[] } } }, i: number) => {
    const exec = u?.user?.exec;
    if (!exec || !/(^|\/)kubelogin(\.exe)?$/.test(exec.command ?? "")) return;
    const old = exec.args ?? [];
    const valueOf = (flag: string) => {
      const at = old.indexOf(flag);
      return at >= 0 ? old[at + 1] : undefined;
    };
    const args = ["get-token", "--login", mode, "--server-id", valueOf("--server-id") ?? AKS_SERVER_ID];
    // devicecode signs in as the AKS client app; the other modes bring their own identity.
    if (mode === "devicecode" && valueOf("--client-id")) args.push("--client-id", valueOf("--client-id")!);
    for (const flag of ["--tenant-id", "--environment"]) if (valueOf(flag)) args.push(flag, valueOf(flag)!);
    doc.setIn(["users", i, "user", "exec", "args"], args);
  });
  return doc.toString();
}

/** Plain values are checked before anything is registered; Outputs are left to Azure. */
function validateAksArgs(name: string, args: AksClusterArgs): void {
  const problems: string[] = [];
  if (args.systemNodeCount !== undefined && (!Number.isInteger(args.systemNodeCount) || args.systemNodeCount < 1)) {
    problems.push(`systemNodeCount must be a whole number of at least 1 (3 is the baseline, one per zone); got ${args.systemNodeCount}`);
  }
  const min = args.userMinCount ?? AKS_DEFAULTS.userMinCount;
  const max = args.userMaxCount ?? AKS_DEFAULTS.userMaxCount;
  if (!Number.isInteger(min) || min < 0) problems.push(`userMinCount must be a whole number of 0 or more; got ${min}`);
  if (!Number.isInteger(max) || max < 1) problems.push(`userMaxCount must be a whole number of 1 or more; got ${max}`);
  if (min > max) problems.push(`userMinCount (${min}) is above userMaxCount (${max}); set userMaxCount to at least ${min}`);
  if (args.maxSurge !== undefined && !/^([1-9][0-9]*|[1-9][0-9]?%|100%)$/.test(args.maxSurge)) {
    problems.push(`maxSurge must be a node count such as "1" or a percentage such as "33%"; got ${JSON.stringify(args.maxSurge)}`);
  }
  if (args.adminCredentials && (args.disableLocalAccounts ?? true)) {
    problems.push("adminCredentials needs disableLocalAccounts: false — AKS refuses static admin credentials when local accounts are disabled; keep the default user credentials (kubelogin) instead");
  }
  if (problems.length) throw new pulumi.RunError(`AksCluster "${name}": ${problems.join("; ")}`);
}
