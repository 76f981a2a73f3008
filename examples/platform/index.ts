/**
 * The platform: an AKS cluster, a guarded namespace for applications and one sample Workload,
 * all through the cluster's own Kubernetes provider. Runs with no config; every setting has a
 * default. Exports the kubeconfig (a secret) for application stacks such as examples/app-stack.
 */
import * as pulumi from "@pulumi/pulumi";
import { GuardedNamespace, Workload } from "../../index"; // in your own project: from "crashguard"
import { AksCluster } from "../../aks"; // in your own project: from "crashguard/aks"

const config = new pulumi.Config();

const cluster = new AksCluster("aks", {
  location: config.get("location") ?? "westeurope",
});

const apps = new GuardedNamespace("apps", {
  quota: { requestsCpu: config.get("appsCpuQuota") ?? "16", requestsMemory: config.get("appsMemoryQuota") ?? "32Gi", limitsMemory: config.get("appsMemoryQuota") ?? "32Gi" },
}, { provider: cluster.provider });

new Workload("hello", {
  namespace: apps.name,
  image: config.get("helloImage") ?? "ghcr.io/stefanprodan/podinfo:6.7.1",
  port: 9898,
  readinessPath: "/readyz",
  livenessPath: "/healthz",
  kubeconfig: cluster.kubeconfig, // the rollout verifier watches the same cluster
}, { provider: cluster.provider });

export const kubeconfig = cluster.kubeconfig;
export const namespace = apps.name;
