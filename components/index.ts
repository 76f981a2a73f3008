/** crashguard's Pulumi components, the defaults table behind them and the `withDefaults()` transform. */
export { DEFAULTS, type ProbeTimings, type ResourceValues } from "./defaults";
export {
  Workload,
  WorkloadArgumentError,
  WorkloadValidationError,
  POLICY_CONFIG_KEY,
  type WorkloadArgs,
  type WorkloadOptions,
  type WorkloadKind,
  type WorkloadProbeTimings,
  type WorkloadVolume,
  type WorkloadVolumeClaim,
  type WorkloadPort,
  type WorkloadIngress,
  type WorkloadAutoscaling,
  type WorkloadFederatedCredential,
  type WorkloadIdentity,
  type SecretKeyRef,
  type ConfigMapKeyRef,
} from "./workload";
export { rolloutGate, type RolloutGateArgs } from "./rollout-gate";
export { GuardedNamespace, type GuardedNamespaceArgs, type PodSecurityLevel, type NamespaceQuota } from "./guarded-namespace";
export { withDefaults, applyDefaults } from "./transforms";
export { VerifierRbac, type VerifierRbacArgs } from "./verifier-rbac";
export { kubernetesProvider } from "./cluster-connection";
export { AdmissionGuard, type AdmissionGuardArgs } from "./admission-guard";
