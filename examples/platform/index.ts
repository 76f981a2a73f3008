/**
 * The platform: an AKS cluster, a guarded namespace for applications and one sample Workload,
 * all through the cluster's own Kubernetes provider. Runs with no config; every setting has a
 * default. Exports the kubeconfig (a secret) for application stacks such as examples/app-stack.
 */
import * as pulumi from "@pulumi/pulumi";
import { Workspace } from "@pulumi/azure-native/operationalinsights";
import { ResourceGroup } from "@pulumi/azure-native/resources";
import { GuardedNamespace, Workload } from "../../index"; // in your own project: from "crashguard"
import { AksCluster } from "../../aks"; // in your own project: from "crashguard/aks"

const config = new pulumi.Config();
const location = config.get("location") ?? "westeurope";

const group = new ResourceGroup("platform", { location });
// Container Insights and the control-plane audit logs land here.
const logs = new Workspace("logs", { resourceGroupName: group.name, location, sku: { name: "PerGB2018" }, retentionInDays: 30 });

const cluster = new AksCluster("aks", {
  location,
  resourceGroupName: group.name,
  // Only these ranges reach the API server, e.g. your office and CI egress; unset, it is open
  // (behind Entra ID). The machine running `pulumi up` must be among them.
  authorizedIpRanges: config.getObject<string[]>("authorizedIpRanges"),
  // Kubernetes and node-image upgrades only on Saturday nights, Central European Time.
  upgradeWindow: { dayOfWeek: "Saturday", startTime: "22:00", durationHours: 6, utcOffset: "+01:00" },
  logAnalyticsWorkspaceId: logs.id,
  // Batch work on spot VMs, away from the user pool; pods opt in by tolerating the spot taint.
  nodePools: [{ name: "batch", spot: true, vmSize: "Standard_D4ds_v5", maxCount: 5, labels: { workload: "batch" } }],
});

const apps = new GuardedNamespace(
  "apps",
  {
    quota: {
      requestsCpu: config.get("appsCpuQuota") ?? "16",
      requestsMemory: config.get("appsMemoryQuota") ?? "32Gi",
      limitsMemory: config.get("appsMemoryQuota") ?? "32Gi",
    },
  },
  { provider: cluster.provider },
);

new Workload(
  "hello",
  {
    namespace: apps.name,
    image: config.get("helloImage") ?? "ghcr.io/stefanprodan/podinfo:6.7.1",
    port: 9898,
    readinessPath: "/readyz",
    livenessPath: "/healthz",
    kubeconfig: cluster.kubeconfig, // the rollout verifier watches the same cluster
  },
  { provider: cluster.provider },
);

export const kubeconfig = cluster.kubeconfig;
export const namespace = apps.name;
