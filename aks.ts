/**
 * crashguard/aks: `import { AksCluster } from "crashguard/aks"`. A separate entry point because
 * it needs `@pulumi/azure-native` (an optional peer dependency, over 100 MB installed): an app that
 * only deploys Workloads into a cluster it does not create never installs or loads it.
 */
export * from "./components/aks-cluster";
