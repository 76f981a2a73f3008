/**
 * crashguard: `import { AksCluster, Workload, GuardedNamespace, withDefaults } from "crashguard"`.
 * The rule core the components check against is the policy pack's, at `crashguard/policies/rules`.
 */
export * from "./components";
