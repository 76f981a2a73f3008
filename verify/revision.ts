/**
 * Which pods belong to a workload's newest revision, how many there should be, and how long they
 * must stay healthy — pure functions over the workload and its ReplicaSets / ControllerRevisions.
 * "Done" follows the controllers' own rules as kubectl reads them
 * (https://github.com/kubernetes/kubectl/blob/master/pkg/polymorphichelpers/rollout_status.go):
 * a StatefulSet partition only updates ordinals at or above it, OnDelete replaces nothing by
 * itself, minReadySeconds counts toward available, and old replicas must be gone.
 */
import type { ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet } from "kubernetes-types/apps/v1";
import type { LabelSelector } from "kubernetes-types/meta/v1";
import type { Container, Event, Pod, PodTemplateSpec } from "kubernetes-types/core/v1";
import { num, records, text } from "./read";
import { probeToleranceSeconds } from "./remedy";
import type { WorkloadRef } from "./types";

export type Workload = Deployment | StatefulSet | DaemonSet;
/** ReplicaSets for a Deployment, ControllerRevisions for a DaemonSet; StatefulSets need neither. */
export type RevisionObject = ReplicaSet | ControllerRevision;

export const COLLECTIONS: Record<WorkloadRef["kind"], string> = {
  Deployment: "deployments",
  StatefulSet: "statefulsets",
  DaemonSet: "daemonsets",
};
const REVISION_LABELS: Record<WorkloadRef["kind"], string> = {
  Deployment: "pod-template-hash",
  StatefulSet: "controller-revision-hash",
  DaemonSet: "controller-revision-hash",
};
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
  if (kind === "DaemonSet") return num((workload as DaemonSet).status?.desiredNumberScheduled) ?? 0;
  return num((workload as Deployment | StatefulSet).spec?.replicas) ?? 1;
}

/** How the controller rolls this workload out, as far as "done" depends on it. */
export interface RolloutPlan {
  /** New-revision pods that must be healthy: all desired pods, or those at or above a StatefulSet partition. */
  newPods: number;
  /** `updateStrategy: OnDelete` — pods change only when someone deletes them; the rollout is done once observed. */
  onDelete: boolean;
  /** A paused Deployment rolls nothing out until resumed; kubectl waits for it. */
  paused: boolean;
  /** Seconds a pod must be Ready before the controller counts it available. */
  minReadySeconds: number;
  /** Whether old pods must be gone before the rollout is done (not with a partition or OnDelete, where they stay by design). */
  oldPodsMustGo: boolean;
}

export function rolloutPlan(kind: WorkloadRef["kind"], workload: Workload): RolloutPlan {
  const desired = desiredPods(kind, workload);
  const spec = workload.spec as (Deployment["spec"] & StatefulSet["spec"] & DaemonSet["spec"]) | undefined;
  const strategy = text(spec?.updateStrategy?.type);
  const onDelete = kind !== "Deployment" && strategy === "OnDelete";
  const partition = kind === "StatefulSet" ? Math.max(0, num(spec?.updateStrategy?.rollingUpdate?.partition) ?? 0) : 0;
  return {
    newPods: onDelete ? 0 : Math.max(0, desired - partition),
    onDelete,
    paused: kind === "Deployment" && spec?.paused === true,
    minReadySeconds: Math.max(0, num(spec?.minReadySeconds) ?? 0),
    oldPodsMustGo: !onDelete && partition === 0,
  };
}

/**
 * Why the controller cannot create the new revision's pods, if it said so: the new ReplicaSet's
 * `ReplicaFailure` condition (quota, admission), or a FailedCreate event on the ReplicaSet or the
 * workload (StatefulSets and DaemonSets have no such condition). kstatus reads the same condition
 * (https://github.com/kubernetes-sigs/cli-utils/blob/master/pkg/kstatus/status/core.go).
 */
export function replicaFailure(
  kind: WorkloadRef["kind"],
  workload: Workload,
  revisionObjects: Iterable<RevisionObject>,
  events: Iterable<Event>,
  missingPods: boolean,
): string | undefined {
  const revisions = [...revisionObjects];
  const hash = newRevisionHash(kind, workload, revisions);
  const rs =
    kind === "Deployment" && hash ? (revisions as ReplicaSet[]).find((r) => r.metadata?.labels?.["pod-template-hash"] === hash) : undefined;
  const condition = records<{ type?: unknown; status?: unknown; message?: unknown }>(rs?.status?.conditions).find(
    (c) => c.type === "ReplicaFailure" && c.status === "True",
  );
  if (condition) return `${text(condition.message) ?? "ReplicaFailure"}`;
  if (!missingPods) return undefined;
  const uids = new Set([workload.metadata?.uid, rs?.metadata?.uid].filter(Boolean));
  const failed = [...events].filter((e) => e.reason === "FailedCreate" && uids.has(text(e.involvedObject?.uid) ?? ""));
  return failed.length ? text(failed[failed.length - 1].message) : undefined;
}

/**
 * The label value that marks the newest revision's pods, or undefined while the controller has
 * not made it yet. Deployments: the ReplicaSet whose revision annotation matches the Deployment's.
 * StatefulSets: `status.updateRevision`. DaemonSets: the owned ControllerRevision with the
 * highest `revision`.
 */
export function newRevisionHash(kind: WorkloadRef["kind"], workload: Workload, revisions: Iterable<RevisionObject>): string | undefined {
  const uid = workload.metadata?.uid;
  const owned = [...revisions].filter((r) =>
    records<{ uid?: unknown; controller?: unknown }>(r.metadata?.ownerReferences).some((o) => o.uid === uid && o.controller !== false),
  );
  if (kind === "StatefulSet") return text((workload as StatefulSet).status?.updateRevision);
  if (kind === "Deployment") {
    const revision = workload.metadata?.annotations?.["deployment.kubernetes.io/revision"];
    const rs = owned.find((r) => r.metadata?.annotations?.["deployment.kubernetes.io/revision"] === revision);
    return revision ? rs?.metadata?.labels?.["pod-template-hash"] : undefined;
  }
  const newest = (owned as ControllerRevision[]).sort((a, b) => (num(b.revision) ?? 0) - (num(a.revision) ?? 0))[0];
  return newest?.metadata?.labels?.["controller-revision-hash"];
}

export function isNewRevisionPod(kind: WorkloadRef["kind"], hash: string, pod: Pod): boolean {
  return pod.metadata?.labels?.[REVISION_LABELS[kind]] === hash && !pod.metadata?.deletionTimestamp;
}

/**
 * Default stabilization window: the longest time any container's liveness probe may fail before
 * kubelet kills it (periodSeconds × failureThreshold, API defaults 10 × 3 = 30 s), and never less
 * than {@link MIN_STABLE_SECONDS}. Pods that stay Ready with no restart for that long have passed
 * at least one full liveness cycle after becoming Ready.
 */
export function defaultStableSeconds(template: PodTemplateSpec | undefined): number {
  const containers = [
    ...records<Container>(template?.spec?.containers),
    ...records<Container>(template?.spec?.initContainers).filter((c) => c.restartPolicy === "Always"),
  ];
  return Math.max(MIN_STABLE_SECONDS, ...containers.map((c) => probeToleranceSeconds(c.livenessProbe)));
}

/** Deployments only: the controller gave up (progressDeadlineSeconds passed). */
export function progressDeadlineExceeded(kind: WorkloadRef["kind"], workload: Workload): string | undefined {
  if (kind !== "Deployment") return undefined;
  const c = records<{ type?: unknown; status?: unknown; reason?: unknown; message?: unknown }>(
    (workload as Deployment).status?.conditions,
  ).find((x) => x.type === "Progressing" && x.status === "False" && x.reason === "ProgressDeadlineExceeded");
  return c ? (text(c.message) ?? "ProgressDeadlineExceeded") : undefined;
}

/** Whether the workload kind uses revision objects at all, and where they live. */
export function revisionCollection(kind: WorkloadRef["kind"]): string | undefined {
  return kind === "Deployment" ? "replicasets" : kind === "DaemonSet" ? "controllerrevisions" : undefined;
}
