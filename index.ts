/**
 * crashguard: `import { Workload, GuardedNamespace, withDefaults, kubernetesProvider } from "crashguard"`.
 * `AksCluster` is at `crashguard/aks` (it needs `@pulumi/azure-native`); the rule core the components
 * check against is the policy pack's, at `crashguard/rules`; the verifier and its Pulumi hook at
 * `crashguard/verify`.
 */
export * from "./components";
export { admissionPolicies, MIN_KUBERNETES_VERSION, type AdmissionSettings } from "./admission";
