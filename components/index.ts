/** crashguard's Pulumi components, the defaults table behind them and the `withDefaults()` transform. */
export * from "./aks-cluster";
export * from "./defaults";
export * from "./workload";
export * from "./guarded-namespace";
export * from "./transforms";
export * from "./verifier-rbac";
export * from "./admission-guard";
