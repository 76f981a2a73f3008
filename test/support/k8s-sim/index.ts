export { K8sSim, type Fault, type SimObject } from "./server";
export { SimCluster, type Behaviour, type SimContainer, type WorkloadScenario } from "./cluster";
export { kubeconfigYaml, writeKubeconfig, SIM_TLS, SIM_TOKEN } from "./kubeconfig";
