/**
 * Every default of the rule core, each stated once with its reason: the values fixes suggest and
 * remediation fills in, the probe timings, and each rule's configuration where the user sets none.
 * The pack's configSchema `default:`s, the admission-policy generator, the components' defaults
 * table (`components/defaults.ts`) and the verifier's remedies read them from here.
 */
import type { RuleConfigs, RuleId } from "./types";
import { definedOnly } from "./read";

/** Requests and limits as Kubernetes quantities. */
export interface ResourceValues {
  /** @default "250m" */
  cpuRequest: string;
  /** @default "256Mi" */
  memoryRequest: string;
  /** @default the memory request */
  memoryLimit?: string;
  /** Filled in only where a cpu limit is required or given. @default none; "500m" where `requireCpuLimit` asks for one */
  cpuLimit?: string;
}

const memoryRequest = "256Mi";

/**
 * Requests sized for a small service: enough to be scheduled where it fits.
 *
 * The memory limit equals the memory request. A container then never uses memory the scheduler
 * did not reserve for it, so it is never the pod the kubelet evicts first under node memory
 * pressure (it ranks pods by usage above their requests:
 * https://kubernetes.io/docs/concepts/scheduling-eviction/node-pressure-eviction/#pod-selection-for-kubelet-eviction),
 * and an OOMKill always points at the container's own sizing, never at a noisy neighbour.
 * A limit with "headroom" above the request is memory the node promised to nobody.
 *
 * The cpu limit is used only where a team requires one (`requireCpuLimit`): requests already
 * guarantee a share, and a cpu limit throttles a busy container long before it could harm a neighbour.
 */
export const SUGGESTED_RESOURCES = {
  cpuRequest: "250m",
  memoryRequest,
  memoryLimit: memoryRequest,
  cpuLimit: "500m",
} as const;

/**
 * `given` completed from SUGGESTED_RESOURCES, keys set to `undefined` counting as not given. A
 * memory limit left out follows the memory request, the given one or the default.
 */
export function resourceValues(given: Partial<ResourceValues> = {}): Required<ResourceValues> {
  const v = { ...SUGGESTED_RESOURCES, ...definedOnly(given) };
  return { ...v, memoryLimit: given.memoryLimit ?? v.memoryRequest };
}

/** Probe timings: a 3 s timeout survives a GC pause; 3 failures × 10 s before acting. */
export const SUGGESTED_PROBE_TIMINGS = {
  readinessProbe: { periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
  livenessProbe: { periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
  /** Up to 30 × 5 s = 150 s to start before liveness takes over. */
  startupProbe: { periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 30 },
} as const;

/**
 * The timings the API server gives a probe that leaves them out
 * (https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/#configure-probes).
 */
export const PROBE_DEFAULTS: Readonly<
  Record<"initialDelaySeconds" | "periodSeconds" | "timeoutSeconds" | "successThreshold" | "failureThreshold", number>
> = {
  initialDelaySeconds: 0,
  periodSeconds: 10,
  timeoutSeconds: 1,
  successThreshold: 1,
  failureThreshold: 3,
};

/** Namespaces every rule skips by default: the cluster's own, which platform teams do not author. */
export const DEFAULT_EXCLUDED_NAMESPACES: readonly string[] = ["kube-system"];

const common = { excludeNamespaces: [...DEFAULT_EXCLUDED_NAMESPACES] };

/** Each rule's configuration where the user sets none (`Rule.defaults`, and the configSchema's `default:`s). */
export const RULE_DEFAULTS = {
  "spec-readable": { ...common },
  "exemption-valid": { ...common },
  "resources-required": {
    ...common,
    requireCpuRequest: true,
    requireMemoryRequest: true,
    requireMemoryLimit: true,
    // See SUGGESTED_RESOURCES: cpu limits throttle; teams that want hard caps turn this on.
    requireCpuLimit: false,
  },
  // No bounds or ratios: they are a platform's own policy, with no value right for everyone.
  "resource-values-valid": { ...common },
  // Restartable sidecars serve traffic and run as long as the pod: they need probes too.
  "readiness-probe-required": { ...common, includeSidecars: true },
  "liveness-probe-required": { ...common, includeSidecars: true },
  "probe-sanity": {
    ...common,
    // Most apps are up within 30 s; a liveness probe that may kill sooner needs a startupProbe.
    minStartupSeconds: 30,
    requireDeclaredPort: true,
    forbidIdenticalLivenessReadiness: true,
  },
  // A version tag is enough by default; a digest is the stricter choice a team can opt into.
  "image-pinned": { ...common, requireDigest: false },
} satisfies { [K in RuleId]: RuleConfigs[K] };
