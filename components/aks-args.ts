/**
 * `AksCluster`'s arguments and their defaults, after the AKS baseline reference architecture
 * (https://github.com/mspnp/aks-baseline, `cluster-stamp.bicep`). Where a baseline choice would make
 * a first `pulumi up` fail or need infrastructure the component does not create, the default
 * deviates and the field's TSDoc says so.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ManagedClusterArgs } from "@pulumi/azure-native/containerservice";
import type { AdmissionGuardArgs } from "./admission-guard";

export type KubeloginMode = "azurecli" | "workloadidentity" | "spn" | "devicecode";
export type NetworkPolicyEngine = "cilium" | "azure" | "calico";
export type WeekDay = "Monday" | "Tuesday" | "Wednesday" | "Thursday" | "Friday" | "Saturday" | "Sunday";

/** Any part of a type, at any depth: what an override may set. */
export type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** A weekly planned-maintenance window (AKS `MaintenanceConfiguration`, weekly schedule). */
export interface AksMaintenanceWindow {
  /** @default "Sunday" */
  dayOfWeek?: WeekDay;
  /** Start, as "HH:mm" in `utcOffset`. @default "00:00" */
  startTime?: string;
  /** Length in hours, 4 to 24 (AKS refuses shorter windows for these schedules). @default 4 */
  durationHours?: number;
  /** Offset from UTC of `startTime`, as "+HH:mm" or "-HH:mm". @default "+00:00" */
  utcOffset?: string;
  /** Every how many weeks, 1 to 4. @default 1 */
  intervalWeeks?: number;
}

/** An additional node pool, created as its own `AgentPool` so adding or removing one never touches the cluster. */
export interface AksNodePool {
  /** Pool name: 1 to 12 lowercase letters and digits, starting with a letter; not "system" or "user". */
  name: string;
  /** "User" for workloads, "System" for a further system pool. @default "User" */
  mode?: "User" | "System";
  /** @default the cluster's `userVmSize` */
  vmSize?: pulumi.Input<string>;
  /** Fewest nodes the cluster autoscaler keeps. @default the cluster's `userMinCount`, or 0 for a spot pool (spot capacity can vanish) */
  minCount?: number;
  /** Most nodes the cluster autoscaler may add. @default the cluster's `userMaxCount` */
  maxCount?: number;
  /** Availability zones. @default the cluster's `zones`; a zonal cluster needs zonal pools */
  zones?: string[];
  /** Taints as "key=value:Effect", e.g. "sku=gpu:NoSchedule". @default none (spot pools get AKS's spot taint) */
  taints?: string[];
  /** Node labels. @default none */
  labels?: Record<string, string>;
  /**
   * Spot VMs: evicted when Azure needs the capacity, at a fraction of the price. The pool gets
   * eviction policy Delete (no stopped VMs left counting against quota), AKS's taint
   * `kubernetes.azure.com/scalesetpriority=spot:NoSchedule` so only pods that tolerate eviction
   * land there, and no surge upgrade settings, which AKS does not support for spot pools.
   * @default false
   */
  spot?: boolean;
  /** Highest price per hour in US dollars for a spot node; -1 pays up to the on-demand price and is never evicted for price. @default -1 */
  spotMaxPrice?: number;
  /** Extra nodes during an upgrade. @default the cluster's `maxSurge` */
  maxSurge?: string;
  /** Subnet of the pool's nodes. @default the cluster's `vnetSubnetId` */
  vnetSubnetId?: pulumi.Input<string>;
  /** @default "AzureLinux" */
  osSKU?: pulumi.Input<string>;
}

export interface AksClusterArgs {
  /**
   * An existing resource group to create the cluster in. Default: a new resource group named after
   * the component, so a platform stack owns — and can delete — everything it creates.
   * @default a new resource group named after the component
   */
  resourceGroupName?: pulumi.Input<string>;
  /**
   * Azure region. Default: the azure-native provider's `location` config.
   * @default the azure-native provider's `location` config
   */
  location?: pulumi.Input<string>;
  /**
   * Kubernetes version. Default: AKS's default version, which the `stable` upgrade channel then keeps current.
   * @default AKS's default version
   */
  kubernetesVersion?: pulumi.Input<string>;
  /**
   * DNS prefix of the API server. Default: the component name.
   * @default the component name
   */
  dnsPrefix?: pulumi.Input<string>;
  /**
   * Entra ID groups whose members administer the cluster through Azure RBAC. Default none: the
   * deploying identity is granted "Azure Kubernetes Service RBAC Cluster Admin" instead (see
   * `grantDeployerClusterAdmin`). With local accounts disabled, Entra ID is the only way in.
   * @default none
   */
  adminGroupObjectIds?: pulumi.Input<string>[];
  /**
   * Keep the static admin account disabled. Default true: every action is tied to an Entra ID
   * identity and audited; a leaked admin kubeconfig cannot be revoked short of rotating the cluster CA.
   * @default true
   */
  disableLocalAccounts?: boolean;
  /**
   * A user-assigned managed identity (resource id) for the control plane. Default: a system-assigned identity, which AKS manages and rotates.
   * @default a system-assigned identity
   */
  userAssignedIdentityId?: pulumi.Input<string>;

  /**
   * Grant "Azure Kubernetes Service RBAC Cluster Admin" on the cluster to `clusterAdminPrincipalId`.
   * With local accounts off and Azure RBAC on, nothing else lets `cluster.provider` in: without the
   * grant the first Kubernetes resource is refused with 403. Set false when access comes from
   * `adminGroupObjectIds` or a role assignment made elsewhere.
   * @default true
   */
  grantDeployerClusterAdmin?: boolean;
  /**
   * Entra ID object id that receives the cluster-admin grant.
   * @default the identity running `pulumi up` (azure-native `authorization.getClientConfig`)
   */
  clusterAdminPrincipalId?: pulumi.Input<string>;
  /**
   * What kind of principal `clusterAdminPrincipalId` is; Azure refuses a role assignment whose
   * type does not match the principal. Default for the deploying identity: "ServicePrincipal" when
   * azure-native signs in with a client id or a managed identity (config `azure-native:clientId` /
   * `azure-native:useMsi`, or `ARM_CLIENT_ID` / `ARM_USE_MSI`), else "User" (an `az login`);
   * for a given `clusterAdminPrincipalId`, "User".
   * @default "User" or "ServicePrincipal", as above
   */
  clusterAdminPrincipalType?: "User" | "ServicePrincipal" | "Group";
  /**
   * Azure role assignments take effect in the API server only after they propagate (minutes, see
   * https://learn.microsoft.com/azure/aks/manage-azure-rbac). `cluster.provider` therefore waits,
   * on `pulumi up`, until the API server answers its kubeconfig with something other than 401 or
   * 403, for at most this many seconds, then fails naming the grant. 0 skips the check: the
   * provider then only waits for the role assignment to exist, and a first deploy may see a 403
   * that a rerun clears. Set 0 when the machine running Pulumi cannot reach the API server
   * (a private cluster seen from outside its network).
   * @default 600
   */
  accessWaitSeconds?: number;
  /**
   * Container registries (resource ids) the kubelet identity may pull from (role AcrPull), so
   * nodes pull images without pull secrets, as in the baseline.
   * @default none
   */
  acrIds?: pulumi.Input<string>[];

  /**
   * A private API server, reachable only from the cluster's network (and networks peered with it).
   * Default false: the baseline keeps a public endpoint restricted by `authorizedIpRanges`, and a
   * private one needs the deploying machine inside the network (see `accessWaitSeconds`).
   * @default false
   */
  privateCluster?: boolean;
  /**
   * CIDR ranges allowed to reach the public API server. Default none (open to the internet,
   * behind Entra ID authentication) — a deviation from the baseline, which lists its operators'
   * egress ranges: no default can know yours. Not allowed with `privateCluster`.
   * @default none (open)
   */
  authorizedIpRanges?: string[];
  /** Turn off `az aks command invoke`, which runs commands in the cluster outside the audited API path. @default true (as the baseline) */
  disableRunCommand?: boolean;

  /**
   * VM size of the system pool. Default Standard_D4ds_v5: 4 vCPU / 16 GiB with a local temp disk for ephemeral OS disks.
   * @default "Standard_D4ds_v5"
   */
  systemVmSize?: pulumi.Input<string>;
  /**
   * Nodes in the system pool, and the fewest the autoscaler keeps. Default 3, one per zone:
   * CoreDNS, metrics-server and konnectivity keep running through a zone outage and a node upgrade at once.
   * @default 3
   */
  systemNodeCount?: number;
  /** Most system-pool nodes the cluster autoscaler may add. @default 4 (as the baseline) */
  systemMaxCount?: number;
  /**
   * VM size of the user pool, where workloads run. Default Standard_D4ds_v5.
   * @default "Standard_D4ds_v5"
   */
  userVmSize?: pulumi.Input<string>;
  /**
   * Fewest user-pool nodes the cluster autoscaler keeps. Default 2, so one node can drain for an upgrade without losing capacity.
   * @default 2
   */
  userMinCount?: number;
  /**
   * Most user-pool nodes the cluster autoscaler may add. Default 10.
   * @default 10
   */
  userMaxCount?: number;
  /**
   * Availability zones for every pool. Default ["1", "2", "3"]; set [] in regions without zones.
   * @default ["1", "2", "3"]
   */
  zones?: string[];
  /**
   * Extra nodes during a node-image or version upgrade, as a count or percentage. Default "33%",
   * the AKS baseline's: upgrades finish in three waves instead of one node at a time.
   * @default "33%"
   */
  maxSurge?: string;
  /** Additional node pools (per team, GPU, spot…), each with the baseline's settings unless it sets its own. @default none */
  nodePools?: AksNodePool[];

  /**
   * Network policy engine on Azure CNI overlay. Default "cilium" (with the Cilium dataplane):
   * eBPF policy enforcement, the engine AKS invests in. "azure" and "calico" remain available.
   * @default "cilium"
   */
  networkPolicy?: NetworkPolicyEngine;
  /**
   * Pod address space of the overlay. Default 192.168.0.0/16, outside common VNet ranges.
   * @default "192.168.0.0/16"
   */
  podCidr?: pulumi.Input<string>;
  /**
   * Subnet (resource id) for the nodes of every pool. Default: a VNet AKS creates and manages.
   * @default a VNet AKS creates
   */
  vnetSubnetId?: pulumi.Input<string>;
  /**
   * How nodes reach the internet. Default "loadBalancer" — a deviation: the baseline uses
   * "userDefinedRouting" through Azure Firewall, which fails to create unless the subnet's route
   * table already sends 0.0.0.0/0 to a firewall. Set it with `vnetSubnetId` once that exists.
   * @default "loadBalancer"
   */
  outboundType?: pulumi.Input<string>;
  /**
   * Kubernetes service address space. Default AKS's 10.0.0.0/16; give it with `dnsServiceIp` when that overlaps your network.
   * @default "10.0.0.0/16" (AKS's)
   */
  serviceCidr?: pulumi.Input<string>;
  /**
   * Cluster DNS service IP, inside `serviceCidr`. Default AKS's 10.0.0.10.
   * @default "10.0.0.10" (AKS's)
   */
  dnsServiceIp?: pulumi.Input<string>;

  /**
   * Kubernetes upgrade channel. Default "stable": patch releases arrive automatically, minor ones one behind latest.
   * @default "stable"
   */
  upgradeChannel?: pulumi.Input<string>;
  /**
   * Node OS upgrade channel. Default "NodeImage": weekly patched node images, rolled with maxSurge.
   * @default "NodeImage"
   */
  nodeOSUpgradeChannel?: pulumi.Input<string>;
  /**
   * Confine automatic upgrades to planned maintenance windows (`upgradeWindow`, `nodeOSUpgradeWindow`).
   * Default true, as the baseline; false lets AKS upgrade at any time.
   * @default true
   */
  plannedMaintenance?: boolean;
  /** When the `upgradeChannel`'s Kubernetes upgrades may run. @default weekly, Sunday 00:00 UTC, 4 hours */
  upgradeWindow?: AksMaintenanceWindow;
  /** When the `nodeOSUpgradeChannel`'s node image updates may run. @default the `upgradeWindow` */
  nodeOSUpgradeWindow?: AksMaintenanceWindow;
  /**
   * AKS pricing tier. Default "Standard": the financially backed API-server SLA and more control-plane capacity.
   * @default "Standard"
   */
  skuTier?: pulumi.Input<string>;

  /**
   * Log Analytics workspace (resource id). Default none: monitoring off. With it, Container
   * Insights keeps pod restarts and OOMKills beyond the cluster's short event history, and a
   * diagnostic setting sends the control plane's `diagnosticLogCategories` there.
   * @default none
   */
  logAnalyticsWorkspaceId?: pulumi.Input<string>;
  /**
   * Control-plane log categories sent to `logAnalyticsWorkspaceId`, into resource-specific tables
   * (AKSAudit, AKSAuditAdmin, AKSControlPlane). Default the baseline's: cluster-autoscaler,
   * kube-controller-manager, kube-audit-admin (writes only: the full kube-audit is costly), guard
   * (Entra ID and Azure RBAC decisions).
   * @default ["cluster-autoscaler", "kube-controller-manager", "kube-audit-admin", "guard"]
   */
  diagnosticLogCategories?: string[];
  /**
   * Managed Prometheus (`azureMonitorProfile.metrics`): the metrics add-on in the cluster.
   * Default false — a deviation: the baseline turns it on together with an Azure Monitor workspace
   * and data collection rule, which this component does not create; without them the agents run
   * and their metrics go nowhere.
   * @default false
   */
  prometheusMetrics?: boolean;
  /**
   * Microsoft Defender for Containers, reporting to this Log Analytics workspace (resource id). Default off.
   * @default none (off)
   */
  defenderWorkspaceId?: pulumi.Input<string>;
  /** AKS cost analysis in Microsoft Cost Management (needs the Standard or Premium tier). @default false (an opt-in, as in Azure Verified Modules) */
  costAnalysis?: boolean;

  /**
   * The Azure Policy add-on (Gatekeeper with Azure's policy sets, incl. Deployment Safeguards). Default true.
   * @default true
   */
  azurePolicy?: boolean;
  /** The Key Vault Secrets Store CSI driver, mounting Key Vault secrets into pods. @default true (as the baseline) */
  keyVaultSecretsProvider?: boolean;
  /** How often the CSI driver re-reads mounted secrets, so a rotated secret reaches pods. @default "2m" (as the baseline) */
  secretRotationInterval?: string;
  /**
   * Image Cleaner removes unused, vulnerable images from nodes every `imageCleanerIntervalHours`. Default true.
   * @default true
   */
  imageCleaner?: boolean;
  /**
   * Default 168 (weekly), matching the NodeImage channel's cadence.
   * @default 168
   */
  imageCleanerIntervalHours?: number;
  /**
   * Name of the node resource group AKS creates. Default: AKS's `MC_<group>_<cluster>_<region>`.
   * @default AKS's `MC_<group>_<cluster>_<region>`
   */
  nodeResourceGroup?: pulumi.Input<string>;
  /**
   * Export the admin kubeconfig instead of the user one. Default false. Only works with
   * `disableLocalAccounts: false`: with local accounts disabled AKS refuses static admin
   * credentials ("Getting static credential is not allowed…").
   * @default false
   */
  adminCredentials?: boolean;
  /**
   * How the user kubeconfig's kubelogin exec plugin signs in. Default "azurecli", which uses the
   * `az login` of whoever runs `pulumi` or `kubectl`; "workloadidentity" for CI on federated
   * credentials, "spn" for a service principal from `AAD_SERVICE_PRINCIPAL_CLIENT_ID`/`_SECRET`,
   * "devicecode" for interactive use only.
   * @default "azurecli"
   */
  kubeloginMode?: KubeloginMode;
  /**
   * Tags on every Azure resource. Default none.
   * @default none
   */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * The escape hatch: any `ManagedCluster` field, deep-merged over what the component builds, last.
   * Objects merge key by key; arrays and scalars replace. Validation does not see it, so an override
   * can set what the component's arguments forbid — Azure is then the judge.
   * @default none
   */
  overrides?: DeepPartial<ManagedClusterArgs>;
  /**
   * Enforce crashguard's rules in the cluster itself: an `AdmissionGuard` (ValidatingAdmissionPolicies
   * generated from the rule core, see docs/admission.md) deployed through `provider`, so kubectl, Helm
   * and Argo CD meet the rules `pulumi preview` enforces. `true` for the pack's default levels, or the
   * guard's own arguments; the cluster's Kubernetes version is checked against the 1.30 floor.
   * @default false — off until a platform team opts in, since it blocks existing non-compliant workloads
   */
  admissionGuard?: boolean | Omit<AdmissionGuardArgs, "kubernetesVersion">;
}

/** Entra ID's well-known application id of the AKS API server, the audience of every kubelogin token. */
export const AKS_SERVER_ID = "6dae42f8-4368-4678-94ff-3960e28e3630";

/** AKS's own taint on spot nodes (https://learn.microsoft.com/azure/aks/spot-node-pool). */
export const SPOT_TAINT = "kubernetes.azure.com/scalesetpriority=spot:NoSchedule";

export const AKS_DEFAULTS = {
  systemVmSize: "Standard_D4ds_v5",
  systemNodeCount: 3,
  systemMaxCount: 4,
  userVmSize: "Standard_D4ds_v5",
  userMinCount: 2,
  userMaxCount: 10,
  zones: ["1", "2", "3"],
  maxSurge: "33%",
  networkPolicy: "cilium" as NetworkPolicyEngine,
  podCidr: "192.168.0.0/16",
  outboundType: "loadBalancer",
  upgradeChannel: "stable",
  nodeOSUpgradeChannel: "NodeImage",
  plannedMaintenance: true,
  maintenanceWindow: { dayOfWeek: "Sunday" as WeekDay, startTime: "00:00", durationHours: 4, utcOffset: "+00:00", intervalWeeks: 1 },
  skuTier: "Standard",
  diagnosticLogCategories: ["cluster-autoscaler", "kube-controller-manager", "kube-audit-admin", "guard"],
  prometheusMetrics: false,
  costAnalysis: false,
  disableLocalAccounts: true,
  grantDeployerClusterAdmin: true,
  accessWaitSeconds: 600,
  disableRunCommand: true,
  privateCluster: false,
  azurePolicy: true,
  keyVaultSecretsProvider: true,
  secretRotationInterval: "2m",
  imageCleaner: true,
  imageCleanerIntervalHours: 168,
  spotMaxPrice: -1,
  osSKU: "AzureLinux",
  kubeloginMode: "azurecli" as KubeloginMode,
};

/** The arguments with every default filled in. */
export type ResolvedAksArgs = Omit<AksClusterArgs, keyof typeof AKS_DEFAULTS> & {
  [K in keyof typeof AKS_DEFAULTS]: K extends keyof AksClusterArgs ? NonNullable<AksClusterArgs[K]> : (typeof AKS_DEFAULTS)[K];
};
