/**
 * crashguard/aks: `import { AksCluster } from "crashguard/aks"`. A separate entry point because
 * it needs `@pulumi/azure-native` (an optional peer dependency, over 100 MB installed): an app that
 * only deploys Workloads into a cluster it does not create never installs or loads it.
 */
export { AksCluster, AKS_RBAC_CLUSTER_ADMIN_ROLE, ACR_PULL_ROLE, kubeconfigForKubelogin } from "./components/aks-cluster";
export {
  AKS_DEFAULTS,
  type AksClusterArgs,
  type AksNodePool,
  type AksMaintenanceWindow,
  type KubeloginMode,
  type NetworkPolicyEngine,
  type WeekDay,
} from "./components/aks-args";
