/**
 * The table of defaults behind every crashguard component and `withDefaults()`. Each value
 * carries the reason it was chosen. Requests, limits and probe timings are the rule core's
 * (`policies/rules/defaults.ts`), imported, not copied, so the components fill in exactly what the
 * pack's fixes and remediate mode do, and a default can never drift into something the pack
 * blocks. The components' tests hold every default to the rule core with zero findings.
 * AksCluster's defaults are `AKS_DEFAULTS` in aks-args.ts, beside the arguments they fill: that
 * component ships apart (`crashguard/aks`), with its own peer dependency.
 */
import type * as k8s from "@pulumi/kubernetes/types/input";
import { SUGGESTED_PROBE_TIMINGS, resourcesToFill, type ResourceValues } from "../policies/rules";
import type { ResourceValuesToFill } from "../policies/rules/fill";

export type { ResourceValues };

/** Probe timings in seconds; the keys match `Probe`'s own fields. */
export interface ProbeTimings {
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
}

export const DEFAULTS = {
  /** Pods per Workload: one crashing pod or drained node then leaves one serving. */
  replicas: 2,
  /** A Workload gets a Service (ClusterIP) on its port: most workloads serve something. */
  service: true,
  /** A Workload's rollout is verified by default: that is what turns a crash loop into a failed `pulumi up`. */
  verify: true,
  /** A GuardedNamespace gets a LimitRange, so pods created without requests still get them. */
  limitRange: true,

  /** Default paths differ so liveness and readiness are different checks (probe-sanity). */
  readinessPath: "/ready",
  livenessPath: "/healthz",
  /** The port most app images listen on unprivileged, and the one the rule core's fixes use. */
  port: 8080,
  portName: "http",

  /** The rule core's probe timings: a 3 s timeout survives a GC pause, 3 failures x 10 s before acting. */
  probeTimings: SUGGESTED_PROBE_TIMINGS,

  /**
   * Pods run as non-root with no privilege escalation, no Linux capabilities and the runtime's
   * seccomp profile — what Pod Security Admission's `restricted` level demands, so our pods run in
   * a GuardedNamespace. A read-only root filesystem stops an exploit from planting files; a
   * writable emptyDir at `/tmp` keeps runtimes that write temp files from crashing on it.
   */
  podSecurityContext: {
    runAsNonRoot: true,
    seccompProfile: { type: "RuntimeDefault" },
  } satisfies k8s.core.v1.PodSecurityContext,
  containerSecurityContext: {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  } satisfies k8s.core.v1.SecurityContext,
  tmpVolume: { name: "tmp", mountPath: "/tmp" },

  /**
   * Never take a serving pod down before its replacement is Ready (maxUnavailable 0): a new
   * revision that crash-loops then costs no capacity at all. 25 % surge is Kubernetes' own default.
   */
  rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" },

  /**
   * Seconds before a stuck rollout is marked ProgressDeadlineExceeded — the only failure
   * `kubectl rollout status`, Helm and kstatus ever see. Kubernetes' 600 s doubles the wait
   * for every broken release; 300 s still covers image pull, scheduling and the startup probe's
   * 150 s window. A slower starter gets its startup time plus this margin (see progressDeadlineSeconds).
   */
  progressDeadlineSeconds: 300,
  progressDeadlineMarginSeconds: 150,

  /**
   * Spread replicas across availability zones so one zone outage leaves pods serving;
   * ScheduleAnyway, because a pod waiting for a zone that has no room is worse than two in one zone.
   */
  zoneTopologyKey: "topology.kubernetes.io/zone",

  /**
   * A PodDisruptionBudget of maxUnavailable 1 — never minAvailable 1, which on a single replica
   * forbids every eviction and leaves AKS node upgrades stuck draining. Created by default only
   * when replicas > 1: with one replica any voluntary eviction is an outage anyway.
   */
  pdbMaxUnavailable: 1,

  /**
   * Graceful shutdown. A terminating pod leaves the Service endpoints while it gets SIGTERM, and
   * kube-proxy and ingress controllers learn of it a few seconds later; 5 s of preStop sleep keeps
   * it serving through that window. The grace period counts the sleep, so it is the sleep plus
   * Kubernetes' own 30 s for the app to finish its in-flight requests after SIGTERM.
   */
  shutdown: { preStopSleepSeconds: 5, drainSeconds: 30 },

  /**
   * An autoscaler's target when none is given: 70 % of the cpu request leaves room to absorb a
   * burst while new pods start (the HPA acts on averages over its sync period).
   */
  autoscalingCpuUtilization: 70,

  /** The ingress class of AKS's application routing add-on (managed NGINX). */
  ingressClassName: "webapprouting.kubernetes.azure.com",

  /** Pod Security Admission level for GuardedNamespace: the one our Workload defaults satisfy. */
  podSecurityLevel: "restricted",
  podSecurityVersion: "latest",
} as const;

/**
 * `resources:` for a container: requests and a memory limit from the rule core's defaults, with
 * what `overrides` sets; a cpu limit only where one is given. The same values the pack's
 * resources-required fix and remediate mode fill in.
 */
export function resourceRequirements(overrides: Partial<ResourceValues> = {}): ResourceValuesToFill {
  return resourcesToFill({ defaults: overrides, requireCpuLimit: overrides.cpuLimit !== undefined });
}

/**
 * A startup probe giving a slow starter `startupSeconds` before liveness takes over:
 * failureThreshold = ceil(startupSeconds / period), at the rule core's startup period.
 */
export function startupTimings(
  startupSeconds: number,
): Required<Pick<ProbeTimings, "periodSeconds" | "timeoutSeconds" | "failureThreshold">> {
  const { periodSeconds, timeoutSeconds } = DEFAULTS.probeTimings.startupProbe;
  return { periodSeconds, timeoutSeconds, failureThreshold: Math.max(1, Math.ceil(startupSeconds / periodSeconds)) };
}

export function progressDeadlineSeconds(startupSeconds: number | undefined): number {
  return Math.max(DEFAULTS.progressDeadlineSeconds, (startupSeconds ?? 0) + DEFAULTS.progressDeadlineMarginSeconds);
}
