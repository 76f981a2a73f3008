/** Control-plane logs (audit, Entra ID/RBAC decisions, autoscaler) to Log Analytics, as the baseline keeps them. */
import type * as pulumi from "@pulumi/pulumi";
import type { ManagedCluster } from "@pulumi/azure-native/containerservice";
import { DiagnosticSetting } from "@pulumi/azure-native/monitor";
import type { ResolvedAksArgs } from "./aks-args";

export function createDiagnostics(
  name: string,
  d: ResolvedAksArgs,
  cluster: ManagedCluster,
  opts: pulumi.CustomResourceOptions,
): DiagnosticSetting | undefined {
  if (d.logAnalyticsWorkspaceId === undefined || d.diagnosticLogCategories.length === 0) return undefined;
  return new DiagnosticSetting(
    `${name}-diagnostics`,
    {
      resourceUri: cluster.id,
      workspaceId: d.logAnalyticsWorkspaceId,
      // Resource-specific tables (AKSAudit, AKSAuditAdmin, AKSControlPlane) instead of AzureDiagnostics:
      // cheaper, typed, and what https://learn.microsoft.com/azure/aks/monitor-aks recommends.
      logAnalyticsDestinationType: "Dedicated",
      logs: d.diagnosticLogCategories.map((category) => ({ category, enabled: true })),
      metrics: [{ category: "AllMetrics", enabled: true }],
    },
    opts,
  );
}
