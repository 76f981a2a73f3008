/**
 * What the verifier and `crashguard diagnose` report. The JSON output of both commands is these
 * objects serialised as they are, so fields are only ever added, never renamed.
 */

/** Why a pod or container cannot become healthy, one value per fix a user would make. */
export type FailureCategory =
  | "oom-killed" // exit 137, reason OOMKilled: the memory limit was hit
  | "liveness-probe" // killed by kubelet after failed liveness probes (from events, or inferred)
  | "startup-probe" // killed by kubelet because the startup probe never passed in its window
  | "readiness-probe" // Running, never Ready, past the readiness probe's own failure window
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
  | "security-context" // runAsNonRoot and an image that runs as root (or as a non-numeric user)
  | "restarted" // restarted, with no termination record left to say why
  | "stuck" // an init container still running far past any sensible start
  | "unschedulable"; // PodScheduled=False reason Unschedulable

/** Why a whole pod cannot become healthy. */
export type PodFailureCategory =
  | "unschedulable" // PodScheduled=False reason Unschedulable; the cluster autoscaler will not add a node
  | "scheduling-gated" // spec.schedulingGates never removed
  | "mount" // FailedMount / FailedAttachVolume (missing Secret or ConfigMap volume, Multi-Attach)
  | "sandbox" // FailedCreatePodSandBox: CNI or runtime cannot set up the pod
  | "creating" // ContainerCreating far past any sensible start, no event saying why
  | "node-lost" // the node stopped reporting; phase Unknown or Ready=Unknown
  | "evicted" // the kubelet evicted it (node pressure)
  | "rejected"; // the kubelet refused it at admission (OutOfcpu, OutOfmemory, NodeAffinity…)

/** Something not yet failing that becomes a failure if it lasts: what the rollout is waiting on. */
export interface Stall {
  category: FailureCategory | PodFailureCategory;
  container?: string;
  message: string;
  /** Seconds left before it counts as a failure; absent when its age cannot be told. */
  remainingSeconds?: number;
}

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
  podFailure?: { category: PodFailureCategory; message: string; since?: string; fix: Fix };
  /** What the pod is waiting on that fails it if it lasts (autoscaler adding a node, a retrying mount…). */
  waiting?: Stall[];
  /** Being deleted: its exits are expected and it no longer counts. */
  terminating?: true;
  /** Restarts outside the `--since` window, reported but not counted as failing. */
  earlierRestarts?: { count: number; lastAt?: string; reason?: string };
  events: EventSummary[];
  /** Last log lines of the terminated container, by container name. */
  logs: Record<string, string[]>;
  /** kubectl commands that show what we saw. */
  commands: string[];
}

export type RolloutFailureReason =
  | "pod-failed"
  | "unschedulable"
  | "replica-failure"
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
  /** On a timeout: the best-known reason it did not finish (what it was still waiting for and why). */
  cause?: string;
  /** Diagnoses of the new revision's failing pods (all pods when diagnosing offline). */
  pods: PodDiagnosis[];
}
