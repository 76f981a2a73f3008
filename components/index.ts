/** crashguard's Pulumi components, the defaults table behind them and the `withDefaults()` transform. */
export * from "./defaults";
export * from "./workload";
export * from "./rollout-gate";
export * from "./guarded-namespace";
export * from "./transforms";
export * from "./verifier-rbac";
export * from "./cluster-connection";
export * from "./admission-guard";
