/** Post-deploy rollout verification: the watcher, the pure diagnosis, the Pulumi hook. */
export { verifyRollout, DEFAULT_TIMEOUT_SECONDS, DEFAULT_UNSCHEDULABLE_GRACE_SECONDS, type VerifyOptions, type Progress } from "./rollout";
export {
  diagnosePod,
  isFailing,
  isHealthy,
  isReady,
  restarts,
  podSpecPath,
  DEFAULT_GRACES,
  type Graces,
  type DiagnoseOptions,
} from "./diagnosis";
export { defaultStableSeconds, MIN_STABLE_SECONDS, rolloutPlan, type RolloutPlan } from "./revision";
export { renderVerdict, renderPod } from "./report";
export { verifyHook, verifyHookBody, awaitAnnotations, type VerifyHookOptions } from "./hook";
export { VERIFIER_RULES, clusterRoleManifest, roleBindingManifest, policyRules } from "./rbac-rules";
export { loadConnection, KubeconfigError, type KubeconfigOptions } from "./kubeconfig";
export { ApiError } from "./kube-client";
export type {
  FailureCategory,
  PodFailureCategory,
  Stall,
  EventSummary,
  Fix,
  ContainerFailure,
  PodDiagnosis,
  RolloutFailureReason,
  WorkloadRef,
  Verdict,
} from "./types";
