/**
 * `AksCluster`'s arguments checked before anything is registered: each problem names the
 * argument and the fix. Plain values only; Outputs are left to Azure, and so are `overrides`.
 */
import * as pulumi from "@pulumi/pulumi";
import { AKS_DEFAULTS, type AksClusterArgs, type AksMaintenanceWindow, type AksNodePool } from "./aks-args";

const SURGE = /^([1-9][0-9]*|[1-9][0-9]?%|100%)$/;
const IPV4_CIDR = /^((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)(\/(3[0-2]|[12]?\d))?$/;
const TAINT = /^[A-Za-z0-9][-A-Za-z0-9_./]*(=[-A-Za-z0-9_.]*)?:(NoSchedule|PreferNoSchedule|NoExecute)$/;
const POOL_NAME = /^[a-z][a-z0-9]{0,11}$/;
const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

export function validateAksArgs(name: string, args: AksClusterArgs): void {
  const problems = [
    ...poolSizeProblems(args),
    ...accessProblems(args),
    ...networkProblems(args),
    ...operationsProblems(args),
    ...(args.nodePools ?? []).flatMap((pool, i) => nodePoolProblems(pool, i, args)),
    ...duplicatePoolNames(args.nodePools ?? []),
  ];
  if (problems.length) throw new pulumi.RunError(`AksCluster "${name}": ${problems.join("; ")}`);
}

function wholeNumber(value: number | undefined, min: number): boolean {
  return value === undefined || (Number.isInteger(value) && value >= min);
}

/** min ≤ max, both whole numbers, under the names the caller uses for them. */
function rangeProblems(min: number, max: number, minName: string, maxName: string, lowest: number): string[] {
  const problems: string[] = [];
  if (!wholeNumber(min, lowest)) problems.push(`${minName} must be a whole number of ${lowest} or more; got ${min}`);
  if (!wholeNumber(max, 1)) problems.push(`${maxName} must be a whole number of 1 or more; got ${max}`);
  if (min > max) problems.push(`${minName} (${min}) is above ${maxName} (${max}); set ${maxName} to at least ${min}`);
  return problems;
}

function surgeProblems(surge: string | undefined, field: string): string[] {
  return surge === undefined || SURGE.test(surge)
    ? []
    : [`${field} must be a node count such as "1" or a percentage such as "33%"; got ${JSON.stringify(surge)}`];
}

function poolSizeProblems(args: AksClusterArgs): string[] {
  const problems: string[] = [];
  const system = args.systemNodeCount ?? AKS_DEFAULTS.systemNodeCount;
  if (!wholeNumber(system, 1)) {
    problems.push(`systemNodeCount must be a whole number of at least 1 (3 is the baseline, one per zone); got ${system}`);
  } else {
    problems.push(
      ...rangeProblems(
        system,
        args.systemMaxCount ?? Math.max(system, AKS_DEFAULTS.systemMaxCount),
        "systemNodeCount",
        "systemMaxCount",
        1,
      ),
    );
  }
  problems.push(
    ...rangeProblems(
      args.userMinCount ?? AKS_DEFAULTS.userMinCount,
      args.userMaxCount ?? AKS_DEFAULTS.userMaxCount,
      "userMinCount",
      "userMaxCount",
      0,
    ),
  );
  return [...problems, ...surgeProblems(args.maxSurge, "maxSurge")];
}

function accessProblems(args: AksClusterArgs): string[] {
  const problems: string[] = [];
  if (args.adminCredentials && (args.disableLocalAccounts ?? true)) {
    problems.push(
      "adminCredentials needs disableLocalAccounts: false — AKS refuses static admin credentials when local accounts are disabled; keep the default user credentials (kubelogin) instead",
    );
  }
  if (args.privateCluster && args.authorizedIpRanges?.length) {
    problems.push(
      "authorizedIpRanges restrict a public API server, and privateCluster: true has none; remove authorizedIpRanges or set privateCluster: false",
    );
  }
  const badRanges = (args.authorizedIpRanges ?? []).filter((r) => !IPV4_CIDR.test(r));
  if (badRanges.length)
    problems.push(
      `authorizedIpRanges must be IPv4 addresses or CIDR ranges such as "203.0.113.0/24"; got ${badRanges.map((r) => JSON.stringify(r)).join(", ")}`,
    );
  if (!wholeNumber(args.accessWaitSeconds, 0))
    problems.push(`accessWaitSeconds must be a whole number of seconds, 0 to skip the wait; got ${args.accessWaitSeconds}`);
  if (args.clusterAdminPrincipalId !== undefined && args.grantDeployerClusterAdmin === false) {
    problems.push("clusterAdminPrincipalId is given but grantDeployerClusterAdmin is false; remove one of them");
  }
  return problems;
}

function networkProblems(args: AksClusterArgs): string[] {
  const problems: string[] = [];
  if ((args.serviceCidr === undefined) !== (args.dnsServiceIp === undefined)) {
    problems.push(
      "serviceCidr and dnsServiceIp go together: set both (dnsServiceIp inside serviceCidr, e.g. 10.0.0.0/16 and 10.0.0.10) or neither",
    );
  }
  if (args.outboundType === "userDefinedRouting" && args.vnetSubnetId === undefined) {
    problems.push('outboundType "userDefinedRouting" needs vnetSubnetId: a subnet whose route table sends 0.0.0.0/0 to your firewall');
  }
  return problems;
}

function operationsProblems(args: AksClusterArgs): string[] {
  const problems: string[] = [];
  if (args.costAnalysis && args.skuTier === "Free")
    problems.push('costAnalysis needs skuTier "Standard" or "Premium"; AKS refuses it on the Free tier');
  if (args.diagnosticLogCategories?.length && args.logAnalyticsWorkspaceId === undefined) {
    problems.push("diagnosticLogCategories need somewhere to go: set logAnalyticsWorkspaceId to a Log Analytics workspace id");
  }
  if (args.plannedMaintenance === false && (args.upgradeWindow || args.nodeOSUpgradeWindow)) {
    problems.push(
      "upgradeWindow/nodeOSUpgradeWindow have no effect with plannedMaintenance: false; remove them or set plannedMaintenance: true",
    );
  }
  return [
    ...windowProblems(args.upgradeWindow, "upgradeWindow"),
    ...windowProblems(args.nodeOSUpgradeWindow, "nodeOSUpgradeWindow"),
    ...problems,
  ];
}

function windowProblems(w: AksMaintenanceWindow | undefined, field: string): string[] {
  if (!w) return [];
  const problems: string[] = [];
  if (w.dayOfWeek !== undefined && !WEEKDAYS.includes(w.dayOfWeek))
    problems.push(`${field}.dayOfWeek must be one of ${WEEKDAYS.join(", ")}; got ${JSON.stringify(w.dayOfWeek)}`);
  if (w.startTime !== undefined && !/^([01]\d|2[0-3]):[0-5]\d$/.test(w.startTime))
    problems.push(`${field}.startTime must be "HH:mm" (24-hour), e.g. "22:00"; got ${JSON.stringify(w.startTime)}`);
  if (w.durationHours !== undefined && !(Number.isInteger(w.durationHours) && w.durationHours >= 4 && w.durationHours <= 24)) {
    problems.push(`${field}.durationHours must be a whole number from 4 to 24 (AKS's limits for upgrade windows); got ${w.durationHours}`);
  }
  if (w.utcOffset !== undefined && !/^[+-](0\d|1[0-4]):[0-5]\d$/.test(w.utcOffset))
    problems.push(`${field}.utcOffset must be "+HH:mm" or "-HH:mm", e.g. "+01:00"; got ${JSON.stringify(w.utcOffset)}`);
  if (w.intervalWeeks !== undefined && !(Number.isInteger(w.intervalWeeks) && w.intervalWeeks >= 1 && w.intervalWeeks <= 4)) {
    problems.push(`${field}.intervalWeeks must be a whole number from 1 to 4; got ${w.intervalWeeks}`);
  }
  return problems;
}

function nodePoolProblems(pool: AksNodePool, i: number, args: AksClusterArgs): string[] {
  const at = `nodePools[${i}]`;
  const problems: string[] = [];
  if (!POOL_NAME.test(pool.name ?? ""))
    problems.push(`${at}.name must be 1 to 12 lowercase letters and digits, starting with a letter; got ${JSON.stringify(pool.name)}`);
  if (pool.name === "system" || pool.name === "user")
    problems.push(`${at}.name "${pool.name}" is taken by the cluster's own pool; choose another name`);
  const min = pool.minCount ?? (pool.spot ? 0 : (args.userMinCount ?? AKS_DEFAULTS.userMinCount));
  problems.push(
    ...rangeProblems(min, pool.maxCount ?? args.userMaxCount ?? AKS_DEFAULTS.userMaxCount, `${at}.minCount`, `${at}.maxCount`, 0),
  );
  problems.push(...surgeProblems(pool.maxSurge, `${at}.maxSurge`));
  const clusterZones = args.zones ?? AKS_DEFAULTS.zones;
  if (pool.zones?.length === 0 && clusterZones.length > 0) {
    problems.push(
      `${at}.zones is empty in a zonal cluster (zones ${JSON.stringify(clusterZones)}): leave it unset to use the cluster's zones, or list some of them`,
    );
  }
  const strayZones = (pool.zones ?? []).filter((z) => !clusterZones.includes(z));
  if (clusterZones.length > 0 && strayZones.length)
    problems.push(
      `${at}.zones ${JSON.stringify(strayZones)} are not among the cluster's zones ${JSON.stringify(clusterZones)}; use some of those`,
    );
  const badTaints = (pool.taints ?? []).filter((t) => !TAINT.test(t));
  if (badTaints.length)
    problems.push(
      `${at}.taints must look like "key=value:NoSchedule" (effects NoSchedule, PreferNoSchedule, NoExecute); got ${badTaints.map((t) => JSON.stringify(t)).join(", ")}`,
    );
  if (pool.spot && pool.mode === "System")
    problems.push(`${at} cannot be a spot pool in mode "System": AKS runs system pods only on regular VMs; set mode "User"`);
  if (pool.spotMaxPrice !== undefined && !pool.spot)
    problems.push(`${at}.spotMaxPrice applies only to spot pools; set spot: true or remove spotMaxPrice`);
  if (pool.spotMaxPrice !== undefined && pool.spotMaxPrice !== -1 && !(pool.spotMaxPrice > 0)) {
    problems.push(
      `${at}.spotMaxPrice must be -1 (up to the on-demand price) or a price above 0 in US dollars per hour; got ${pool.spotMaxPrice}`,
    );
  }
  return problems;
}

function duplicatePoolNames(pools: AksNodePool[]): string[] {
  const names = pools.map((p) => p.name);
  const repeated = [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
  return repeated.map((n) => `nodePools has more than one pool named "${n}"; pool names must be unique`);
}
