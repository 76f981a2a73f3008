/**
 * Planned maintenance: the two AKS-managed schedules that confine the automatic upgrade channels
 * (https://learn.microsoft.com/azure/aks/planned-maintenance). AKS knows them by these exact names.
 */
import type * as pulumi from "@pulumi/pulumi";
import { MaintenanceConfiguration, type ManagedCluster } from "@pulumi/azure-native/containerservice";
import { AKS_DEFAULTS, type AksMaintenanceWindow, type ResolvedAksArgs } from "./aks-args";

export const UPGRADE_SCHEDULE = "aksManagedAutoUpgradeSchedule";
export const NODE_OS_UPGRADE_SCHEDULE = "aksManagedNodeOSUpgradeSchedule";

export function createMaintenanceWindows(
  name: string,
  d: ResolvedAksArgs,
  cluster: ManagedCluster,
  resourceGroupName: pulumi.Input<string>,
  opts: pulumi.CustomResourceOptions,
): MaintenanceConfiguration[] {
  if (!d.plannedMaintenance) return [];
  const schedule = (suffix: string, configName: string, window: AksMaintenanceWindow | undefined) =>
    new MaintenanceConfiguration(
      `${name}-${suffix}`,
      { resourceGroupName, resourceName: cluster.name, configName, maintenanceWindow: maintenanceWindow(resolvedWindow(window)) },
      opts,
    );
  return [
    schedule("upgrade-window", UPGRADE_SCHEDULE, d.upgradeWindow),
    schedule("node-os-window", NODE_OS_UPGRADE_SCHEDULE, d.nodeOSUpgradeWindow ?? d.upgradeWindow),
  ];
}

export function resolvedWindow(w: AksMaintenanceWindow | undefined): Required<AksMaintenanceWindow> {
  return { ...AKS_DEFAULTS.maintenanceWindow, ...Object.fromEntries(Object.entries(w ?? {}).filter(([, v]) => v !== undefined)) };
}

function maintenanceWindow(w: Required<AksMaintenanceWindow>) {
  return {
    schedule: { weekly: { dayOfWeek: w.dayOfWeek, intervalWeeks: w.intervalWeeks } },
    startTime: w.startTime,
    durationHours: w.durationHours,
    utcOffset: w.utcOffset,
  };
}
