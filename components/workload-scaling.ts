/** A Workload's replica count, its HorizontalPodAutoscaler and the disruption budget that matches them. */
import type * as pulumi from "@pulumi/pulumi";
import { HorizontalPodAutoscaler } from "@pulumi/kubernetes/autoscaling/v2";
import { PodDisruptionBudget } from "@pulumi/kubernetes/policy/v1";
import type * as k8s from "@pulumi/kubernetes/types/input";
import { DEFAULTS } from "./defaults";
import type { WorkloadArgs } from "./workload";

/** `spec.replicas`, or nothing when an autoscaler owns the count (see `WorkloadArgs.autoscaling`). */
export function specReplicas(args: WorkloadArgs): number | undefined {
  return args.autoscaling ? undefined : (args.replicas ?? DEFAULTS.replicas);
}

/** The fewest pods the workload runs in steady state: what the disruption budget protects. */
function minimumPods(args: WorkloadArgs): number {
  return args.autoscaling?.min ?? args.replicas ?? DEFAULTS.replicas;
}

/** Budget by default only when at least two pods run: with one, any voluntary eviction is an outage anyway. */
export function wantsBudget(args: WorkloadArgs): boolean {
  return args.pdb ?? minimumPods(args) > 1;
}

export function disruptionBudget(
  name: string,
  metadata: k8s.meta.v1.ObjectMeta,
  selector: Record<string, string>,
  opts: pulumi.CustomResourceOptions,
): PodDisruptionBudget {
  return new PodDisruptionBudget(
    name,
    {
      metadata,
      spec: { maxUnavailable: DEFAULTS.pdbMaxUnavailable, selector: { matchLabels: selector } },
    },
    opts,
  );
}

export function autoscaler(
  name: string,
  args: WorkloadArgs,
  metadata: k8s.meta.v1.ObjectMeta,
  opts: pulumi.CustomResourceOptions,
): HorizontalPodAutoscaler {
  const { min, max, cpuUtilization, memoryUtilization } = args.autoscaling!;
  const target = (resource: string, averageUtilization: number) => ({
    type: "Resource",
    resource: { name: resource, target: { type: "Utilization", averageUtilization } },
  });
  const metrics = [
    ...(cpuUtilization !== undefined || memoryUtilization === undefined
      ? [target("cpu", cpuUtilization ?? DEFAULTS.autoscalingCpuUtilization)]
      : []),
    ...(memoryUtilization !== undefined ? [target("memory", memoryUtilization)] : []),
  ];
  return new HorizontalPodAutoscaler(
    name,
    {
      metadata,
      spec: {
        scaleTargetRef: { apiVersion: "apps/v1", kind: args.kind ?? "Deployment", name },
        minReplicas: min,
        maxReplicas: max,
        metrics,
      },
    },
    opts,
  );
}
