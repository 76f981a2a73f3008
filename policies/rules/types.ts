/**
 * The vocabulary shared by every part of crashguard: the pack, the components, `lint` and
 * `diagnose` all speak in these findings, so a user meets the same rule id, message and fix
 * wherever a problem is caught.
 */

/** Every rule id, in the order findings are reported (the registry, `registry.ts`, holds the rules themselves). */
export const RULE_IDS = [
  "spec-readable",
  "resources-required",
  "resource-values-valid",
  "readiness-probe-required",
  "liveness-probe-required",
  "probe-sanity",
  "image-pinned",
  "exemption-valid",
] as const;

export type RuleId = (typeof RULE_IDS)[number];

export type Level = "mandatory" | "advisory" | "remediate" | "disabled";
export type Severity = "low" | "medium" | "high" | "critical";

export interface Finding {
  rule: RuleId;
  severity: Severity;
  /** "Deployment shop/payments", or the Pulumi resource name where the manifest has none. */
  resource: string;
  container?: string;
  /** Field path from the root of the object that was checked, e.g. `spec.template.spec.containers[1].resources.limits.memory`. */
  path: string;
  message: string;
  /** A YAML snippet that would pass, for the object at `fixPath` (defaults to the container). */
  fix?: string;
}

/** Where a container sits in the pod spec, which decides which rules apply to it. */
export type ContainerKind = "container" | "init" | "sidecar";

export interface ContainerRef {
  kind: ContainerKind;
  name: string;
  /** Path of the container object, e.g. `spec.template.spec.initContainers[0]`. */
  path: string;
  /** The container object itself; its fields are untrusted. */
  spec: Record<string, unknown>;
}

export interface PodTemplate {
  /** Kubernetes kind of the object that owns the template: Deployment, CronJob, Pod, … */
  kind: string;
  name: string;
  namespace?: string;
  /** "Deployment shop/payments" — how findings name the resource. */
  resource: string;
  /** Path of the owning object within what was checked: "" at the root, `items[2]` in a List. */
  path: string;
  /** Path of the pod spec, e.g. `spec.template.spec` or `items[2].spec.jobTemplate.spec.template.spec`. */
  specPath: string;
  /** Long-running pods need probes; Jobs, CronJobs and run-to-completion Pods do not. */
  longRunning: boolean;
  /** A `…Patch` resource: absent fields are left unchanged on purpose, so only present values are judged. */
  partial: boolean;
  /** Annotations of the owning object merged with the pod template's (owner wins). */
  annotations: Record<string, string>;
  containers: ContainerRef[];
  /** The pod spec's own `resources` (pod-level requests and limits, KEP-2837), as written; untrusted. */
  podResources?: unknown;
  /** Structural problems found while reading the template (become `spec-readable` findings). */
  problems: Array<{ path: string; message: string; container?: string }>;
}

export interface RuleConfigs {
  "resources-required": ResourcesRequiredConfig;
  "resource-values-valid": ResourceValuesConfig;
  "readiness-probe-required": ProbeRequiredConfig;
  "liveness-probe-required": ProbeRequiredConfig;
  "probe-sanity": ProbeSanityConfig;
  "image-pinned": ImagePinnedConfig;
  "spec-readable": CommonConfig;
  "exemption-valid": CommonConfig;
}

export interface CommonConfig {
  /** Namespaces whose workloads this rule skips. */
  excludeNamespaces?: string[];
}

export interface ResourcesRequiredConfig extends CommonConfig {
  requireCpuRequest?: boolean;
  requireMemoryRequest?: boolean;
  requireMemoryLimit?: boolean;
  requireCpuLimit?: boolean;
  /** Values remediation fills in, and the fix snippets suggest. */
  defaults?: { cpuRequest?: string; memoryRequest?: string; memoryLimit?: string; cpuLimit?: string };
}

export interface ResourceValuesConfig extends CommonConfig {
  /** Largest allowed memory limit / memory request (Gatekeeper k8scontainerratios style). */
  maxMemoryLimitToRequestRatio?: number;
  maxCpuLimitToRequestRatio?: number;
  minCpuRequest?: string;
  minMemoryRequest?: string;
  maxCpuLimit?: string;
  maxMemoryLimit?: string;
}

export interface ProbeRequiredConfig extends CommonConfig {
  /** Restartable sidecars (`initContainers[*].restartPolicy: Always`) need the probe too. */
  includeSidecars?: boolean;
}

export interface ProbeSanityConfig extends CommonConfig {
  /** Seconds a container may need to start before a liveness probe without a startupProbe may kill it. */
  minStartupSeconds?: number;
  /** Note (low severity) numbered probe ports the container does not list in `ports`; the kubelet needs no declaration. */
  requireDeclaredPort?: boolean;
  /** Flag a liveness probe that repeats the readiness probe: the same handler and the same timings. */
  forbidIdenticalLivenessReadiness?: boolean;
}

export interface ImagePinnedConfig extends CommonConfig {
  /** Require an `@sha256` digest; a version tag is not enough. */
  requireDigest?: boolean;
}

export interface Rule<Id extends RuleId = RuleId> {
  id: Id;
  title: string;
  /** One line: why a platform team wants this. */
  description: string;
  defaultLevel: "mandatory" | "advisory";
  severity: Severity;
  configSchema: { properties: Record<string, unknown>; additionalProperties?: boolean };
  /** Configuration used where the user sets none. */
  defaults: Partial<RuleConfigs[Id]>;
  /** Pure: never throws, never mutates. */
  check(template: PodTemplate, config: RuleConfigs[Id]): Finding[];
}
