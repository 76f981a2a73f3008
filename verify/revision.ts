/**
 * Which pods belong to a workload's newest revision, how many there should be, and how long they
 * must stay healthy — pure functions over the workload and its ReplicaSets / ControllerRevisions.
 */
import type { ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet } from "kubernetes-types/apps/v1";
import type { LabelSelector } from "kubernetes-types/meta/v1";
import type { Pod, PodTemplateSpec } from "kubernetes-types/core/v1";
import { probeToleranceSeconds } from "./remedy";
import type { WorkloadRef } from "./types";

export type Workload = Deployment | StatefulSet | DaemonSet;
/** ReplicaSets for a Deployment, ControllerRevisions for a DaemonSet; StatefulSets need neither. */
export type RevisionObject = ReplicaSet | ControllerRevision;

export const COLLECTIONS: Record<WorkloadRef["kind"], string> = { Deployment: "deployments", StatefulSet: "statefulsets", DaemonSet: "daemonsets" };
const REVISION_LABEL: Record<WorkloadRef["kind"], string> = { Deployment: "pod-template-hash", StatefulSet: "controller-revision-hash", DaemonSet: "controller-revision-hash" };
/** The shortest stabilization window: kubelet needs a few probe periods to notice anything. */
export const MIN_STABLE_SECONDS = 10;

/** `matchLabels` and `matchExpressions` in the API's label selector syntax. */
export function selectorString(selector: LabelSelector | undefined): string {
  const labels = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  const expressions = (selector?.matchExpressions ?? []).map((e) => {
    switch (e.operator) {
      case "In":
        return `${e.key} in (${(e.values ?? []).join(",")})`;
      case "NotIn":
        return `${e.key} notin (${(e.values ?? []).join(",")})`;
      case "Exists":
        return e.key;
      default:
        return `!${e.key}`;
    }
  });
  return [...labels, ...expressions].join(",");
}

export function desiredPods(kind: WorkloadRef["kind"], workload: Workload): number {
  if (kind === "DaemonSet") return (workload as DaemonSet).status?.desiredNumberScheduled ?? 0;
  return (workload as Deployment | StatefulSet).spec?.replicas ?? 1;
}

/**
 * The label value that marks the newest revision's pods, or undefined while the controller has
 * not made it yet. Deployments: the ReplicaSet whose revision annotation matches the Deployment's.
 * StatefulSets: `status.updateRevision`. DaemonSets: the owned ControllerRevision with the
 * highest `revision`.
 */
export function newRevisionHash(kind: WorkloadRef["kind"], workload: Workload, revisions: Iterable<RevisionObject>): string | undefined {
  const uid = workload.metadata?.uid;
  const owned = [...revisions].filter((r) => (r.metadata?.ownerReferences ?? []).some((o) => o.uid === uid && o.controller !== false));
  if (kind === "StatefulSet") return (workload as StatefulSet).status?.updateRevision;
  if (kind === "Deployment") {
    const revision = workload.metadata?.annotations?.["deployment.kubernetes.io/revision"];
    const rs = owned.find((r) => r.metadata?.annotations?.["deployment.kubernetes.io/revision"] === revision);
    return revision ? rs?.metadata?.labels?.["pod-template-hash"] : undefined;
  }
  const newest = (owned as ControllerRevision[]).sort((a, b) => b.revision - a.revision)[0];
  return newest?.metadata?.labels?.["controller-revision-hash"];
}

export function isNewRevisionPod(kind: WorkloadRef["kind"], hash: string, pod: Pod): boolean {
  return pod.metadata?.labels?.[REVISION_LABEL[kind]] === hash && !pod.metadata?.deletionTimestamp;
}

/**
 * Default stabilization window: the longest time any container's liveness probe may fail before
 * kubelet kills it (periodSeconds × failureThreshold, API defaults 10 × 3 = 30 s), and never less
 * than {@link MIN_STABLE_SECONDS}. Pods that stay Ready with no restart for that long have passed
 * at least one full liveness cycle after becoming Ready.
 */
export function defaultStableSeconds(template: PodTemplateSpec | undefined): number {
  const containers = [...(template?.spec?.containers ?? []), ...(template?.spec?.initContainers ?? []).filter((c) => c.restartPolicy === "Always")];
  return Math.max(MIN_STABLE_SECONDS, ...containers.map((c) => probeToleranceSeconds(c.livenessProbe)));
}

/** Deployments only: the controller gave up (progressDeadlineSeconds passed). */
export function progressDeadlineExceeded(kind: WorkloadRef["kind"], workload: Workload): string | undefined {
  if (kind !== "Deployment") return undefined;
  const c = (workload as Deployment).status?.conditions?.find((x) => x.type === "Progressing" && x.status === "False" && x.reason === "ProgressDeadlineExceeded");
  return c ? c.message ?? "ProgressDeadlineExceeded" : undefined;
}

/** Whether the workload kind uses revision objects at all, and where they live. */
export function revisionCollection(kind: WorkloadRef["kind"]): string | undefined {
  return kind === "Deployment" ? "replicasets" : kind === "DaemonSet" ? "controllerrevisions" : undefined;
}
