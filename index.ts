/**
 * crashguard: `import { Workload, GuardedNamespace, withDefaults, kubernetesProvider } from "crashguard"`.
 * `AksCluster` is at `crashguard/aks` (it needs `@pulumi/azure-native`); the rule core the components
 * check against is the policy pack's, at `crashguard/rules`; the verifier and its Pulumi hook at
 * `crashguard/verify`.
 */
export {
  DEFAULTS,
  type ProbeTimings,
  type ResourceValues,
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
  rolloutGate,
  type RolloutGateArgs,
  GuardedNamespace,
  type GuardedNamespaceArgs,
  type PodSecurityLevel,
  type NamespaceQuota,
  withDefaults,
  applyDefaults,
  VerifierRbac,
  type VerifierRbacArgs,
  kubernetesProvider,
  AdmissionGuard,
  type AdmissionGuardArgs,
} from "./components";
export { admissionPolicies, MIN_KUBERNETES_VERSION, type AdmissionSettings } from "./admission";
