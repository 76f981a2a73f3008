/**
 * The rollout-state table (test/fixtures/rollout-states.yaml): one row per state Kubernetes can
 * put a rollout in, as objects. This module turns a row into real-shaped API objects — the
 * workload, its revision object, pods and events — served by the simulator for `verify`, and
 * dumped as `kubectl get pods,events -o json` for `diagnose`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Event, Pod } from "kubernetes-types/core/v1";
import { parse } from "yaml";
import type { K8sSim, SimObject } from "../support/k8s-sim";

type Json = Record<string, unknown>;

export interface PodRow {
  /** Replaced pods (old revision) stay on the old hash. */
  old?: boolean;
  metadata?: Json;
  spec?: Json;
  status: Json;
}

export interface EventRow {
  /** Index into `pods`; or `on` names a controller object. */
  pod?: number;
  on?: "replicaset" | "workload";
  container?: string;
  init?: boolean;
  type?: "Normal" | "Warning";
  reason: string;
  message: string;
  count?: number;
  first?: string;
  at?: string;
}

export interface StepRow {
  /** Applied once a progress line of the verifier matches this regular expression: the change comes while it waits for it. */
  when: string;
  /** An HPA sets spec.replicas: new generation, same template. */
  scale?: number;
  /** The pod at this index is scheduled and becomes Ready. */
  ready?: number;
  /** The pod at this index is gone. */
  remove?: number;
}

export interface Expectation {
  verdict?: "succeeded" | "failed";
  reason?: string;
  category?: string;
  fixPath?: string;
  /** Regular expressions over the verdict's message, cause and the progress lines. */
  message?: string;
  cause?: string;
  progress?: string;
  /** "cause": decided before the timeout; "grace": not before the (test) grace; "timeout": only the timeout ends it. */
  bound?: "cause" | "grace" | "timeout";
  /** The verdict comes no sooner than this many seconds (minReadySeconds, a pod still terminating). */
  atLeast?: number;
}

export interface DiagnoseExpectation {
  exit: 0 | 1;
  category?: string;
  fixPath?: string;
  message?: string;
  waiting?: string;
}

export interface StateRow {
  state: string;
  kind?: "Deployment" | "StatefulSet" | "DaemonSet";
  replicas?: number;
  generation?: number;
  expectedGeneration?: number;
  spec?: Json;
  status?: Json;
  template?: Json;
  replicaSet?: { status?: Json };
  pods?: PodRow[];
  events?: EventRow[];
  steps?: StepRow[];
  /** Verify's timeout for this row, seconds (default 10). */
  timeout?: number;
  /** diagnose --now; default 30 minutes after the rows' base time. */
  now?: string;
  /** diagnose --since */
  since?: string;
  expect: { verify: Expectation; diagnose: DiagnoseExpectation };
}

export const NAMESPACE = "shop";
const NAME = "web";
const HASH = "7d9c5b4f8";
const OLD_HASH = "5f6b7c8d9";
export const BASE_TIME = "2026-11-25T10:00:00Z";
export const DEFAULT_NOW = "2026-11-25T10:30:00Z";

export function loadStateTable(): StateRow[] {
  return (parse(readFileSync(join(__dirname, "..", "fixtures", "rollout-states.yaml"), "utf8")) as { rows: StateRow[] }).rows;
}

const DEFAULT_CONTAINER = {
  name: "api",
  image: "registry.example.com/api:1.4.2",
  ports: [{ containerPort: 8080 }],
  resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
};

function revisionLabel(kind: StateRow["kind"]): string {
  return kind === "Deployment" || kind === undefined ? "pod-template-hash" : "controller-revision-hash";
}

function hashFor(kind: StateRow["kind"], old: boolean): string {
  const h = old ? OLD_HASH : HASH;
  return kind === "StatefulSet" ? `${NAME}-${h}` : h;
}

function collection(kind: NonNullable<StateRow["kind"]>): string {
  return { Deployment: "deployments", StatefulSet: "statefulsets", DaemonSet: "daemonsets" }[kind];
}

/** The row's objects, stored in the simulator in the order a controller creates them. */
export function serve(sim: K8sSim, row: StateRow): { pods: SimObject[]; events: SimObject[] } {
  const kind = row.kind ?? "Deployment";
  const labels = { app: NAME };
  const template = { metadata: { labels }, spec: { containers: [DEFAULT_CONTAINER], ...row.template } };
  const newPods = (row.pods ?? []).filter((p) => !p.old).length;
  const replicas = row.replicas ?? newPods;
  const generation = row.generation ?? 1;
  const workloadStatus: Json =
    kind === "Deployment"
      ? { observedGeneration: generation, replicas, updatedReplicas: newPods }
      : kind === "StatefulSet"
        ? { observedGeneration: generation, replicas, updateRevision: hashFor(kind, false), currentRevision: hashFor(kind, true) }
        : { observedGeneration: generation, desiredNumberScheduled: replicas };
  const workload = sim.put(collection(kind), {
    metadata: {
      name: NAME,
      namespace: NAMESPACE,
      generation,
      labels,
      ...(kind === "Deployment" ? { annotations: { "deployment.kubernetes.io/revision": "2" } } : {}),
    },
    spec: { replicas, selector: { matchLabels: labels }, template, ...row.spec },
    status: { ...workloadStatus, ...row.status },
  });
  const owner = { apiVersion: "apps/v1", kind, name: NAME, uid: workload.metadata!.uid, controller: true };
  const owners: Record<"old" | "new", Json> = { old: owner, new: owner };
  let controllerObject: { kind: string; name: string; uid?: string } = { kind, name: NAME, uid: workload.metadata!.uid };
  if (kind === "Deployment") {
    for (const [which, revision] of [
      ["old", "1"],
      ["new", "2"],
    ] as const) {
      const hash = hashFor(kind, which === "old");
      const rs = sim.put("replicasets", {
        metadata: {
          name: `${NAME}-${hash}`,
          namespace: NAMESPACE,
          labels: { ...labels, "pod-template-hash": hash },
          annotations: { "deployment.kubernetes.io/revision": revision },
          ownerReferences: [owner],
        },
        spec: { replicas: which === "new" ? replicas : 0, template },
        status: which === "new" ? { replicas: newPods, ...row.replicaSet?.status } : { replicas: 0 },
      });
      owners[which] = { apiVersion: "apps/v1", kind: "ReplicaSet", name: rs.metadata!.name, uid: rs.metadata!.uid, controller: true };
      if (which === "new") controllerObject = { kind: "ReplicaSet", name: rs.metadata!.name!, uid: rs.metadata!.uid };
    }
  } else if (kind === "DaemonSet") {
    for (const [which, revision] of [
      ["old", 1],
      ["new", 2],
    ] as const) {
      const hash = hashFor(kind, which === "old");
      sim.put("controllerrevisions", {
        metadata: {
          name: `${NAME}-${hash}`,
          namespace: NAMESPACE,
          labels: { ...labels, "controller-revision-hash": hash },
          ownerReferences: [owner],
        },
        revision,
      });
    }
  }
  const pods = (row.pods ?? []).map((p, i) => sim.put("pods", podObject(row, p, i, owners[p.old ? "old" : "new"], template.spec)));
  const events = (row.events ?? []).map((e, i) =>
    sim.put(
      "events",
      eventObject(
        e,
        i,
        e.pod !== undefined
          ? { kind: "Pod", name: pods[e.pod].metadata!.name!, uid: pods[e.pod].metadata!.uid }
          : e.on === "workload"
            ? { kind, name: NAME, uid: workload.metadata!.uid }
            : controllerObject,
      ),
    ),
  );
  return { pods, events };
}

function podObject(row: StateRow, p: PodRow, i: number, owner: Json, templateSpec: Json): SimObject {
  const kind = row.kind ?? "Deployment";
  const hash = hashFor(kind, p.old === true);
  const name =
    kind === "StatefulSet" ? `${NAME}-${i}` : `${NAME}-${kind === "Deployment" ? `${hash}-` : ""}${(i + 10).toString(36).repeat(5)}`;
  const status = { ...p.status };
  for (const list of ["containerStatuses", "initContainerStatuses"] as const) {
    if (Array.isArray(status[list]))
      status[list] = (status[list] as Json[]).map((s) => ({
        name: "api",
        image: DEFAULT_CONTAINER.image,
        imageID: "",
        ready: false,
        restartCount: 0,
        ...s,
      }));
  }
  return {
    metadata: {
      name,
      namespace: NAMESPACE,
      labels: { app: NAME, [revisionLabel(kind)]: hash },
      ownerReferences: [owner],
      creationTimestamp: BASE_TIME,
      ...p.metadata,
    },
    spec: { restartPolicy: "Always", nodeName: "aks-user-12345678-vmss000000", ...templateSpec, ...p.spec },
    status: { phase: "Running", ...status },
  };
}

function eventObject(e: EventRow, i: number, involved: { kind: string; name: string; uid?: string }): SimObject {
  const at = e.at ?? e.first ?? BASE_TIME;
  return {
    metadata: { name: `${involved.name}.${i.toString(16).padStart(8, "0")}`, namespace: NAMESPACE },
    involvedObject: {
      ...involved,
      namespace: NAMESPACE,
      ...(e.container ? { fieldPath: `spec.${e.init ? "initContainers" : "containers"}{${e.container}}` } : {}),
    },
    reason: e.reason,
    message: e.message,
    type: e.type ?? "Warning",
    count: e.count ?? 1,
    firstTimestamp: e.first ?? at,
    lastTimestamp: at,
  };
}

/** Applies one timeline step to the simulator's objects. */
export function applyStep(sim: K8sSim, row: StateRow, pods: SimObject[], step: StepRow): void {
  const kind = row.kind ?? "Deployment";
  if (step.scale !== undefined) {
    const w = sim.get(collection(kind), NAMESPACE, NAME)!;
    const generation = ((w.metadata?.generation as number) ?? 1) + 1;
    sim.put(collection(kind), {
      ...w,
      metadata: { ...w.metadata, generation },
      spec: { ...(w.spec as Json), replicas: step.scale },
      status: { ...(w.status as Json), observedGeneration: generation, replicas: step.scale },
    });
    const template = pods.find((p) => !(p.metadata?.labels?.[revisionLabel(kind)] ?? "").includes(OLD_HASH))!;
    for (let i = pods.length; i < step.scale; i++)
      pods.push(
        sim.put("pods", {
          ...structuredClone(template),
          metadata: { ...structuredClone(template.metadata), name: `${template.metadata!.name}-${i}`, uid: undefined },
        }),
      );
  }
  if (step.ready !== undefined) {
    const p = sim.get("pods", NAMESPACE, pods[step.ready].metadata!.name!) as Pod;
    const known = p.status?.containerStatuses?.length
      ? p.status.containerStatuses
      : p.spec!.containers.map((c) => ({ name: c.name, image: c.image ?? "", imageID: "", ready: false, restartCount: 0 }));
    const statuses = known.map((s) => ({ ...s, ready: true, started: true, state: { running: { startedAt: new Date().toISOString() } } }));
    const conditions = ["PodScheduled", "Initialized", "ContainersReady", "Ready"].map((type) => ({
      type,
      status: "True",
      lastTransitionTime: new Date().toISOString(),
    }));
    sim.put("pods", { ...p, status: { ...p.status, phase: "Running", conditions, containerStatuses: statuses } } as SimObject);
  }
  if (step.remove !== undefined) sim.delete("pods", NAMESPACE, pods[step.remove].metadata!.name!);
}

/** `kubectl get pods,events -o json`: one List with both. */
export function dump(pods: SimObject[], events: SimObject[]): { kind: "List"; apiVersion: "v1"; items: (Pod | Event)[] } {
  return { kind: "List", apiVersion: "v1", items: [...pods, ...events] as (Pod | Event)[] };
}

export const WORKLOAD = NAME;
