/**
 * What the verifier and `crashguard diagnose` report. The JSON output of both commands is these
 * objects serialised as they are, so fields are only ever added, never renamed.
 */

/** Why a pod or container cannot become healthy, one value per fix a user would make. */
export type FailureCategory =
  | "oom-killed" // exit 137, reason OOMKilled: the memory limit was hit
  | "liveness-probe" // killed by kubelet after failed liveness probes
  | "app-error" // exited non-zero on its own (usually 1)
  | "not-executable" // 126: entrypoint exists but cannot be executed
  | "not-found" // 127: entrypoint not found
  | "segfault" // 139: SIGSEGV
  | "killed" // another signal (exit 128+N)
  | "start-error" // 128 / StartError: the runtime could not start the process
  | "exited" // exit 0 in a pod that restarts containers: long-running apps must not exit
  | "crash-loop" // CrashLoopBackOff with no termination record to explain it
  | "image-pull" // ErrImagePull, ImagePullBackOff, InvalidImageName, …
  | "config-error" // CreateContainerConfigError: missing Secret/ConfigMap or key
  | "create-error" // CreateContainerError, RunContainerError, lifecycle hook errors
  | "unschedulable"; // PodScheduled=False reason Unschedulable

/** A Warning (or otherwise relevant) event, reduced to what a user reads. */
export interface EventSummary {
  type: string;
  reason: string;
  message: string;
  count: number;
  /** `spec.containers{api}` when the event is about one container. */
  fieldPath?: string;
}

/** The suggested change, expressed as a field of the workload's own spec. */
export interface Fix {
  /** e.g. `spec.template.spec.containers[0].resources.limits.memory` */
  path: string;
  /** One or two sentences; quotes the current value from the spec when there is one. */
  text: string;
}

export interface ContainerFailure {
  container: string;
  /** True for init containers (kubectl shows them as `Init:<Reason>`). */
  init: boolean;
  category: FailureCategory;
  /** kubectl's STATUS column for this container: `CrashLoopBackOff`, `Init:Error`, `OOMKilled`… */
  reason: string;
  restartCount: number;
  exitCode?: number;
  /** Signal name when the exit code or the runtime reports one: SIGKILL, SIGTERM, SIGSEGV… */
  signal?: string;
  /** What happened, in a sentence. */
  message: string;
  fix: Fix;
  /**
   * Which container instance holds the logs of the failure: "previous" once kubelet restarted it,
   * "current" while the terminated container is still the latest; absent if it never ran.
   */
  logsFrom?: "previous" | "current";
}

export interface PodDiagnosis {
  namespace: string;
  pod: string;
  phase: string;
  ready: boolean;
  restarts: number;
  /** Empty when the pod is healthy or still starting normally. */
  failures: ContainerFailure[];
  /** Pod-level failure (unschedulable); container failures are in `failures`. */
  podFailure?: { category: "unschedulable"; message: string; since?: string; fix: Fix };
  events: EventSummary[];
  /** Last log lines of the terminated container, by container name. */
  logs: Record<string, string[]>;
  /** kubectl commands that show what we saw. */
  commands: string[];
}

export type RolloutFailureReason =
  | "pod-failed"
  | "unschedulable"
  | "progress-deadline"
  | "timeout"
  | "superseded"
  | "not-found";

export interface WorkloadRef {
  kind: "Deployment" | "StatefulSet" | "DaemonSet";
  namespace: string;
  name: string;
}

export interface Verdict {
  verdict: "succeeded" | "failed";
  workload: WorkloadRef & { generation?: number; revision?: string };
  /** Set when the verdict is "failed". */
  reason?: RolloutFailureReason;
  /** One-line summary. */
  message: string;
  /** Seconds from start of verification to the verdict. */
  elapsedSeconds: number;
  desiredPods: number;
  readyPods: number;
  /** Diagnoses of the new revision's failing pods (all pods when diagnosing offline). */
  pods: PodDiagnosis[];
}
