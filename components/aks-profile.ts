/**
 * The ManagedCluster's inputs, built section by section from the resolved arguments, with the
 * user's `overrides` deep-merged last. Pure: nothing here registers a resource.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ManagedClusterArgs } from "@pulumi/azure-native/containerservice";
import { isPlain } from "../policies/rules/fill";
import type { ResolvedAksArgs } from "./aks-args";
import { inlinePools } from "./aks-node-pools";

export function managedClusterArgs(name: string, d: ResolvedAksArgs, resourceGroupName: pulumi.Input<string>): ManagedClusterArgs {
  const built: ManagedClusterArgs = {
    resourceGroupName,
    location: d.location,
    kubernetesVersion: d.kubernetesVersion,
    dnsPrefix: d.dnsPrefix ?? name,
    tags: d.tags,
    sku: { name: "Base", tier: d.skuTier },
    identity:
      d.userAssignedIdentityId !== undefined
        ? { type: "UserAssigned", userAssignedIdentities: [d.userAssignedIdentityId] }
        : { type: "SystemAssigned" },
    aadProfile: { managed: true, enableAzureRBAC: true, adminGroupObjectIDs: d.adminGroupObjectIds },
    disableLocalAccounts: d.disableLocalAccounts,
    enableRBAC: true,
    oidcIssuerProfile: { enabled: true },
    securityProfile: securityProfile(d),
    apiServerAccessProfile: apiServerAccessProfile(d),
    agentPoolProfiles: inlinePools(d),
    networkProfile: networkProfile(d),
    autoUpgradeProfile: { upgradeChannel: d.upgradeChannel, nodeOSUpgradeChannel: d.nodeOSUpgradeChannel },
    addonProfiles: addonProfiles(d),
    ...(d.prometheusMetrics ? { azureMonitorProfile: { metrics: { enabled: true } } } : {}),
    ...(d.costAnalysis ? { metricsProfile: { costAnalysis: { enabled: true } } } : {}),
    nodeResourceGroup: d.nodeResourceGroup,
  };
  return d.overrides ? deepMerge(built, d.overrides) : built;
}

function securityProfile(d: ResolvedAksArgs): ManagedClusterArgs["securityProfile"] {
  return {
    workloadIdentity: { enabled: true },
    imageCleaner: { enabled: d.imageCleaner, intervalHours: d.imageCleanerIntervalHours },
    ...(d.defenderWorkspaceId !== undefined
      ? { defender: { logAnalyticsWorkspaceResourceId: d.defenderWorkspaceId, securityMonitoring: { enabled: true } } }
      : {}),
  };
}

function apiServerAccessProfile(d: ResolvedAksArgs): ManagedClusterArgs["apiServerAccessProfile"] {
  return {
    enablePrivateCluster: d.privateCluster,
    disableRunCommand: d.disableRunCommand,
    ...(d.authorizedIpRanges?.length ? { authorizedIPRanges: d.authorizedIpRanges } : {}),
  };
}

function networkProfile(d: ResolvedAksArgs): ManagedClusterArgs["networkProfile"] {
  return {
    networkPlugin: "azure",
    networkPluginMode: "overlay",
    networkPolicy: d.networkPolicy,
    ...(d.networkPolicy === "cilium" ? { networkDataplane: "cilium" } : {}),
    podCidr: d.podCidr,
    serviceCidr: d.serviceCidr,
    dnsServiceIP: d.dnsServiceIp,
    outboundType: d.outboundType,
    loadBalancerSku: "standard",
  };
}

function addonProfiles(d: ResolvedAksArgs): ManagedClusterArgs["addonProfiles"] {
  return {
    ...(d.logAnalyticsWorkspaceId !== undefined
      ? { omsagent: { enabled: true, config: { logAnalyticsWorkspaceResourceID: d.logAnalyticsWorkspaceId } } }
      : {}),
    ...(d.azurePolicy ? { azurepolicy: { enabled: true } } : {}),
    ...(d.keyVaultSecretsProvider
      ? {
          azureKeyvaultSecretsProvider: {
            enabled: true,
            config: { enableSecretRotation: "true", rotationPollInterval: d.secretRotationInterval },
          },
        }
      : {}),
  };
}

/**
 * `override` over `base`: plain objects merge key by key, anything else (arrays, scalars,
 * Outputs — class instances, not plain objects — and null) replaces. An `undefined` in the override leaves the base value.
 */
export function deepMerge<T>(base: T, override: unknown): T {
  if (!isPlain(base) || !isPlain(override)) return (override === undefined ? base : override) as T;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) merged[key] = deepMerge(merged[key], value);
  return merged as T;
}
