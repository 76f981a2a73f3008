/**
 * Node pools: the inline system and user pools of the ManagedCluster, and each additional pool
 * as its own `AgentPool`, all built from one profile so every pool gets the baseline's settings
 * (zones, autoscaling, surge upgrades, Azure Linux) unless it says otherwise.
 */
import type * as pulumi from "@pulumi/pulumi";
import { AgentPool, type ManagedCluster } from "@pulumi/azure-native/containerservice";
import type * as azure from "@pulumi/azure-native/types/input";
import { type AksNodePool, type ResolvedAksArgs, SPOT_TAINT } from "./aks-args";

type PoolProfile = Omit<azure.containerservice.ManagedClusterAgentPoolProfileArgs, "name">;

/** The settings every pool shares; spot pools trade surge upgrades for AKS's spot taint and eviction policy. */
export function poolProfile(pool: AksNodePool, d: ResolvedAksArgs): PoolProfile {
  const spot = pool.spot ?? false;
  const minCount = pool.minCount ?? (spot ? 0 : d.userMinCount);
  const taints = [...(pool.taints ?? []), ...(spot && !pool.taints?.includes(SPOT_TAINT) ? [SPOT_TAINT] : [])];
  return {
    mode: pool.mode ?? "User",
    vmSize: pool.vmSize ?? d.userVmSize,
    enableAutoScaling: true,
    minCount,
    maxCount: pool.maxCount ?? d.userMaxCount,
    count: minCount,
    availabilityZones: pool.zones ?? d.zones,
    osType: "Linux",
    osSKU: pool.osSKU ?? d.osSKU,
    vnetSubnetID: pool.vnetSubnetId ?? d.vnetSubnetId,
    ...(taints.length ? { nodeTaints: taints } : {}),
    ...(pool.labels ? { nodeLabels: pool.labels } : {}),
    ...(spot
      ? { scaleSetPriority: "Spot", scaleSetEvictionPolicy: "Delete", spotMaxPrice: pool.spotMaxPrice ?? d.spotMaxPrice }
      : { upgradeSettings: { maxSurge: pool.maxSurge ?? d.maxSurge } }),
  };
}

/** The pools created with the cluster: a tainted system pool and the autoscaled user pool. */
export function inlinePools(d: ResolvedAksArgs): azure.containerservice.ManagedClusterAgentPoolProfileArgs[] {
  return [
    {
      name: "system",
      ...poolProfile(
        {
          name: "system",
          mode: "System",
          vmSize: d.systemVmSize,
          minCount: d.systemNodeCount,
          maxCount: d.systemMaxCount,
          // Keeps application pods off the nodes that run the cluster's own add-ons.
          taints: ["CriticalAddonsOnly=true:NoSchedule"],
        },
        d,
      ),
    },
    { name: "user", ...poolProfile({ name: "user" }, d) },
  ];
}

/** Each of `nodePools` as an AgentPool of the cluster, so adding or removing one leaves the cluster untouched. */
export function createNodePools(
  name: string,
  d: ResolvedAksArgs,
  cluster: ManagedCluster,
  resourceGroupName: pulumi.Input<string>,
  opts: pulumi.CustomResourceOptions,
): AgentPool[] {
  return (d.nodePools ?? []).map(
    (pool) =>
      new AgentPool(
        `${name}-${pool.name}`,
        {
          resourceGroupName,
          resourceName: cluster.name,
          agentPoolName: pool.name,
          ...poolProfile(pool, d),
          tags: d.tags,
        },
        opts,
      ),
  );
}
