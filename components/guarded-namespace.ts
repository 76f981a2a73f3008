/**
 * `GuardedNamespace`: a namespace that admits only pods meeting Pod Security Admission's level,
 * gives containers deployed without requests and limits (third-party charts, `kubectl apply`)
 * the defaults table's values through a LimitRange, and optionally caps the total with a quota.
 */
import * as pulumi from "@pulumi/pulumi";
import { LimitRange, Namespace, ResourceQuota } from "@pulumi/kubernetes/core/v1";
import { DEFAULTS, resourceRequirements } from "./defaults";
import { definedOnly } from "../policies/rules/read";

export type PodSecurityLevel = "restricted" | "baseline" | "privileged";

/** Totals across all pods of the namespace; each field omitted is not capped. */
export interface NamespaceQuota {
  /** Sum of cpu requests, e.g. "8". */
  requestsCpu?: string;
  /** Sum of memory requests, e.g. "16Gi". */
  requestsMemory?: string;
  /** Sum of memory limits, e.g. "16Gi". */
  limitsMemory?: string;
  /** Number of pods, e.g. 50. */
  pods?: number;
}

export interface GuardedNamespaceArgs {
  /** The namespace's Kubernetes name. The resource name by default, so Workloads can address it before it exists. @default the resource name */
  namespaceName?: string;
  /**
   * Pod Security Admission level enforced; Workload's defaults meet "restricted".
   * @default "restricted"
   * Audit and warn stay at "restricted" whatever this is, so a relaxed namespace still shows
   * what would break under the strict level.
   */
  podSecurity?: PodSecurityLevel;
  /** Pod Security Admission version pinned; "latest" is the cluster's own Kubernetes version. @default "latest" */
  podSecurityVersion?: string;
  /** Give containers that set no requests or memory limit the defaults table's values. @default true */
  limitRange?: boolean;
  /** A ResourceQuota for the namespace; quotas are sized per team, not by a library. @default none */
  quota?: NamespaceQuota;
  /** Extra labels on the namespace; the Pod Security labels win. @default none */
  labels?: Record<string, string>;
  /** Annotations on the namespace. @default none */
  annotations?: Record<string, string>;
}

export class GuardedNamespace extends pulumi.ComponentResource {
  public readonly namespace: Namespace;
  /** The namespace's name, known once it exists: pass it to Workloads so they wait for it. */
  public readonly name: pulumi.Output<string>;
  public readonly limitRange?: LimitRange;
  public readonly resourceQuota?: ResourceQuota;

  constructor(name: string, args: GuardedNamespaceArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
    super("crashguard:k8s:GuardedNamespace", name, {}, opts);
    const child = { parent: this };
    this.namespace = new Namespace(
      name,
      {
        metadata: {
          name: args.namespaceName ?? name,
          labels: {
            ...args.labels,
            ...podSecurityLabels(args.podSecurity ?? DEFAULTS.podSecurityLevel, args.podSecurityVersion ?? DEFAULTS.podSecurityVersion),
          },
          annotations: args.annotations,
        },
      },
      child,
    );
    this.name = this.namespace.metadata.name;

    if (args.limitRange ?? DEFAULTS.limitRange) {
      const { requests, limits } = resourceRequirements();
      // Caveat of any LimitRange: a container that sets a memory request above this default limit
      // but no limit of its own is rejected (limit < request). withDefaults() fills such a limit
      // from the request instead; apply it to charts that do this.
      this.limitRange = new LimitRange(
        name,
        {
          metadata: { name: "crashguard-defaults", namespace: this.name },
          spec: { limits: [{ type: "Container", defaultRequest: requests, default: limits }] },
        },
        child,
      );
    }
    if (args.quota) {
      this.resourceQuota = new ResourceQuota(
        name,
        {
          metadata: { name: "crashguard-quota", namespace: this.name },
          spec: { hard: quotaHard(args.quota) },
        },
        child,
      );
    }
    this.registerOutputs({ namespace: this.namespace, name: this.name, limitRange: this.limitRange, resourceQuota: this.resourceQuota });
  }
}

function podSecurityLabels(level: PodSecurityLevel, version: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [mode, modeLevel] of [
    ["enforce", level],
    ["audit", DEFAULTS.podSecurityLevel],
    ["warn", DEFAULTS.podSecurityLevel],
  ]) {
    labels[`pod-security.kubernetes.io/${mode}`] = modeLevel;
    labels[`pod-security.kubernetes.io/${mode}-version`] = version;
  }
  return labels;
}

function quotaHard(quota: NamespaceQuota): Record<string, string> {
  return definedOnly({
    "requests.cpu": quota.requestsCpu,
    "requests.memory": quota.requestsMemory,
    "limits.memory": quota.limitsMemory,
    pods: quota.pods === undefined ? undefined : String(quota.pods),
  }) as Record<string, string>;
}
