/**
 * Plays controller and kubelet on the simulator: creates a workload's revision objects and pods,
 * then moves each container through the state sequences a real kubelet produces, with kubelet's
 * crash backoff (10 s doubling to 300 s). Every delay is multiplied by `scale`, so tests can run
 * a crash loop in milliseconds and the benchmark in real seconds (scale 1).
 */
import type { Container, ContainerStatus, Pod } from "kubernetes-types/core/v1";
import type { K8sSim, SimObject } from "./server";

/** What one container does when started. Times are in (unscaled) seconds. */
export type Behaviour =
  | { kind: "healthy"; readyAfter?: number }
  | {
      kind: "crash";
      runFor: number;
      exitCode: number;
      reason?: "Error" | "OOMKilled" | "StartError" | "Completed";
      message?: string;
      logs?: string[];
    }
  | { kind: "liveness-kill"; runFor: number; exitCode: 137 | 143; logs?: string[] }
  | { kind: "image-pull" }
  | { kind: "config-error"; message: string }
  /** Runs but its readiness probe keeps failing with `message`, once per `period` seconds (default 1). */
  | { kind: "readiness-never"; message: string; period?: number };

export interface SimContainer {
  name: string;
  behaviour: Behaviour;
  /** Extra spec fields: resources, probes, env… */
  spec?: Partial<Container>;
}

export interface WorkloadScenario {
  kind: "Deployment" | "StatefulSet" | "DaemonSet";
  namespace: string;
  name: string;
  /** Pods to run (nodes, for a DaemonSet). Default 1. */
  replicas?: number;
  containers: SimContainer[];
  initContainers?: SimContainer[];
  /** FailedScheduling message; when set, no pod is ever scheduled. */
  unschedulable?: string;
  /** Deployments: when the controller reports ProgressDeadlineExceeded (unscaled seconds). Default 600. */
  progressDeadlineSeconds?: number;
  /** How long replaced pods keep terminating (deletionTimestamp set) before they are gone, unscaled seconds. Default 0.5. */
  terminationGraceSeconds?: number;
  /** A ResourceQuota or admission refuses every pod: the ReplicaSet reports ReplicaFailure / FailedCreate with this message. */
  quotaExceeded?: string;
  /** With `unschedulable`: what the cluster autoscaler says; "triggered" brings a node after `nodeArrivesAfter` seconds (never when absent). */
  autoscaler?: { outcome: "triggered"; nodeArrivesAfter?: number } | { outcome: "not-triggered" };
  /** A volume that cannot be mounted: FailedMount events with this message, containers stay in ContainerCreating. */
  mountFailure?: string;
  /** Deployments: spec.paused — the controller observes the new generation but rolls nothing out. */
  paused?: boolean;
  /** StatefulSets: updateStrategy.rollingUpdate.partition — only ordinals at or above it are replaced. */
  partition?: number;
}

interface Revision {
  hash: string;
  labels: Record<string, string>;
  owner: object;
}

const BACKOFF_START = 10;
const BACKOFF_MAX = 300;
const STARTUP_SECONDS = 0.5;

export class SimCluster {
  private readonly timers = new Set<NodeJS.Timeout>();
  private generation = 0;
  private eventSeq = 0;
  /** Each event's name by what makes a repeat of it, so recording one never walks all events. */
  private readonly eventNames = new Map<string, string>();
  private readonly kubelets = new Map<string, PodKubelet>();
  private readonly revisions = new Map<string, Revision>();
  /**
   * The pods of each workload (by `namespace/app` label) and which of them are Ready, kept from
   * the simulator's changes: a workload's status is refreshed on every pod change, and listing
   * 5,000 pods for each would make a rollout O(pods²).
   */
  private readonly podsOf = new Map<string, { all: Set<string>; ready: Set<string> }>();
  /** Which group each stored pod (`namespace/name`) counts in. */
  private readonly groupOf = new Map<string, string>();
  /** Workload status refreshes due at the end of this turn of the event loop, by workload. */
  private readonly refreshes = new Map<string, NodeJS.Immediate>();

  constructor(
    private readonly sim: K8sSim,
    /** Multiplies every delay; 1 = real time. */
    private readonly scale: number,
  ) {
    sim.observe((resource, type, object) => {
      if (resource === "pods") this.track(type, object as Pod);
    });
  }

  /** Moves a pod to the group its latest version belongs in (none once deleted or unlabelled). */
  private track(type: "ADDED" | "MODIFIED" | "DELETED", pod: Pod): void {
    const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    const previous = this.podsOf.get(this.groupOf.get(key) ?? "");
    previous?.all.delete(key);
    previous?.ready.delete(key);
    this.groupOf.delete(key);
    const app = pod.metadata?.labels?.app;
    if (type === "DELETED" || app === undefined) return;
    const group = `${pod.metadata?.namespace}/${app}`;
    const pods = this.podsOf.get(group) ?? { all: new Set<string>(), ready: new Set<string>() };
    this.podsOf.set(group, pods);
    pods.all.add(key);
    if (pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")) pods.ready.add(key);
    this.groupOf.set(key, group);
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const r of this.refreshes.values()) clearImmediate(r);
    this.refreshes.clear();
  }

  /** An HPA (or `kubectl scale`) changes spec.replicas: a new generation with the same template and revision. */
  scaleTo(s: WorkloadScenario, replicas: number): void {
    const gen = ++this.generation;
    const current = this.sim.get(collection(s.kind), s.namespace, s.name)!;
    const before = (current.spec as { replicas: number }).replicas;
    this.sim.put(collection(s.kind), {
      ...current,
      metadata: { ...current.metadata, generation: gen },
      spec: { ...(current.spec as object), replicas },
    });
    const revision = this.revisions.get(s.name)!;
    this.later(0.05, () => {
      this.updateWorkload(s, { status: { observedGeneration: gen, replicas } });
      for (let i = before; i < replicas; i++)
        this.startPod({ ...s, replicas }, this.podName(s, revision.hash, gen, i), revision.labels, revision.owner);
    });
  }

  /** Creates (or updates, as a new generation) the workload and starts its controller and pods. */
  deploy(s: WorkloadScenario): void {
    const gen = ++this.generation;
    const hash = `${(0x5c4f7d8b9 + gen * 7919).toString(16).slice(0, 9)}`;
    const labels = { app: s.name };
    const template = {
      metadata: { labels },
      spec: { containers: s.containers.map(specOf), ...(s.initContainers ? { initContainers: s.initContainers.map(specOf) } : {}) },
    };
    const replicas = s.replicas ?? 1;
    const previous = this.sim.get(collection(s.kind), s.namespace, s.name);
    const strategy =
      s.partition !== undefined ? { updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: s.partition } } } : {};
    const workload = this.sim.put(collection(s.kind), {
      metadata: {
        name: s.name,
        namespace: s.namespace,
        generation: gen,
        labels,
        ...(previous?.metadata?.annotations ? { annotations: previous.metadata.annotations } : {}),
      },
      spec: {
        replicas,
        selector: { matchLabels: labels },
        template,
        ...strategy,
        ...(s.paused ? { paused: true } : {}),
        ...(s.kind === "Deployment" ? { progressDeadlineSeconds: s.progressDeadlineSeconds ?? 600 } : {}),
      },
      status: { ...(previous?.status as object), observedGeneration: gen - 1 },
    });
    // A paused Deployment's controller observes the change and does nothing else.
    if (s.paused) return this.later(0.05, () => this.updateWorkload(s, { status: { observedGeneration: gen } }));
    this.later(0.05, () => this.startRevision(s, workload, hash, gen, replicas));
  }

  private podName(s: WorkloadScenario, hash: string, gen: number, i: number): string {
    return s.kind === "StatefulSet" ? `${s.name}-${i}` : `${s.name}-${s.kind === "Deployment" ? `${hash}-` : ""}${podSuffix(gen, i)}`;
  }

  /** Old pods get a deletionTimestamp, stop, and are gone after the termination grace. */
  private retire(s: WorkloadScenario, keep: (pod: Pod) => boolean): void {
    const old = this.sim.list("pods", s.namespace).filter((p) => p.metadata?.labels?.app === s.name && !keep(p as Pod));
    for (const p of old) {
      const name = p.metadata!.name!;
      this.kubelets.get(name)?.stopKubelet();
      this.sim.put("pods", { ...p, metadata: { ...p.metadata, deletionTimestamp: now() } });
      this.later(s.terminationGraceSeconds ?? 0.5, () => {
        const current = this.sim.get("pods", s.namespace, name);
        if (current?.metadata?.deletionTimestamp) this.sim.delete("pods", s.namespace, name);
      });
    }
  }

  /** Records an event, folding repeats into `count` like the event recorder does. */
  recordEvent(
    ns: string,
    involved: { kind: string; name: string; uid?: string },
    type: "Normal" | "Warning",
    reason: string,
    message: string,
    fieldPath?: string,
    component = "kubelet",
  ): void {
    const repeat = JSON.stringify([ns, involved.kind, involved.name, fieldPath, reason, message]);
    const known = this.eventNames.get(repeat);
    const existing = known === undefined ? undefined : this.sim.get("events", ns, known);
    if (existing) return void this.sim.put("events", { ...existing, count: (existing.count as number) + 1, lastTimestamp: now() });
    const name = `${involved.name}.${(++this.eventSeq).toString(16).padStart(8, "0")}`;
    this.eventNames.set(repeat, name);
    this.sim.put("events", {
      metadata: { name, namespace: ns },
      involvedObject: {
        ...involved,
        namespace: ns,
        apiVersion: involved.kind === "Pod" ? "v1" : "apps/v1",
        ...(fieldPath ? { fieldPath } : {}),
      },
      reason,
      message,
      type,
      count: 1,
      firstTimestamp: now(),
      lastTimestamp: now(),
      source: { component },
    });
  }

  private startRevision(s: WorkloadScenario, workload: SimObject, hash: string, gen: number, replicas: number): void {
    const owner = { apiVersion: "apps/v1", kind: s.kind, name: s.name, uid: workload.metadata!.uid, controller: true };
    const template = (workload.spec as { template: { metadata: { labels: Record<string, string> } } }).template;
    let podOwner: object = owner;
    let revisionLabel: Record<string, string>;
    if (s.kind === "Deployment") {
      const rs = this.sim.put("replicasets", {
        metadata: {
          name: `${s.name}-${hash}`,
          namespace: s.namespace,
          labels: { ...template.metadata.labels, "pod-template-hash": hash },
          annotations: { "deployment.kubernetes.io/revision": String(gen) },
          ownerReferences: [owner],
        },
        spec: { replicas, template },
      });
      podOwner = { apiVersion: "apps/v1", kind: "ReplicaSet", name: rs.metadata!.name!, uid: rs.metadata!.uid, controller: true };
      revisionLabel = { "pod-template-hash": hash };
      this.updateWorkload(s, { metadata: { annotations: { "deployment.kubernetes.io/revision": String(gen) } } });
      if (s.quotaExceeded) {
        const message = `pods "${s.name}-${hash}-${podSuffix(gen, 0)}" is forbidden: ${s.quotaExceeded}`;
        this.sim.put("replicasets", {
          ...rs,
          status: {
            replicas: 0,
            conditions: [{ type: "ReplicaFailure", status: "True", reason: "FailedCreate", message, lastTransitionTime: now() }],
          },
        });
        this.recordEvent(
          s.namespace,
          { kind: "ReplicaSet", name: rs.metadata!.name!, uid: rs.metadata!.uid },
          "Warning",
          "FailedCreate",
          `Error creating: ${message}`,
          undefined,
          "replicaset-controller",
        );
      }
    } else if (s.kind === "DaemonSet") {
      this.sim.put("controllerrevisions", {
        metadata: {
          name: `${s.name}-${hash}`,
          namespace: s.namespace,
          labels: { ...template.metadata.labels, "controller-revision-hash": hash },
          ownerReferences: [owner],
        },
        revision: gen,
      });
      revisionLabel = { "controller-revision-hash": hash };
    } else {
      revisionLabel = { "controller-revision-hash": `${s.name}-${hash}` };
    }
    const status =
      s.kind === "StatefulSet"
        ? { updateRevision: `${s.name}-${hash}` }
        : s.kind === "DaemonSet"
          ? { desiredNumberScheduled: replicas }
          : {};
    this.updateWorkload(s, { status: { observedGeneration: gen, replicas, ...status } });
    if (s.kind === "Deployment") this.later(s.progressDeadlineSeconds ?? 600, () => this.progressDeadline(s));
    const labels = { ...template.metadata.labels, ...revisionLabel };
    this.revisions.set(s.name, { hash, labels, owner: podOwner });
    if (s.quotaExceeded) return;
    // A StatefulSet replaces only the ordinals at or above its partition, and reuses their names.
    const first = s.kind === "StatefulSet" ? (s.partition ?? 0) : 0;
    const ordinal = (p: Pod) => Number(/-(\d+)$/.exec(p.metadata?.name ?? "")?.[1] ?? -1);
    this.retire(s, (p) => s.kind === "StatefulSet" && ordinal(p) < first);
    const delay =
      s.kind === "StatefulSet" &&
      this.sim.list("pods", s.namespace).some((p) => p.metadata?.labels?.app === s.name && ordinal(p as Pod) >= first)
        ? (s.terminationGraceSeconds ?? 0.5) + 0.05
        : 0;
    this.later(delay, () => {
      for (let i = first; i < replicas; i++) this.startPod(s, this.podName(s, hash, gen, i), labels, podOwner);
    });
  }

  private startPod(s: WorkloadScenario, name: string, labels: Record<string, string>, owner: object): void {
    const pod: Pod = {
      metadata: { name, namespace: s.namespace, labels, ownerReferences: [owner as never] },
      spec: {
        restartPolicy: "Always",
        containers: s.containers.map(specOf),
        ...(s.initContainers ? { initContainers: s.initContainers.map(specOf) } : {}),
      },
      status: { phase: "Pending", conditions: [] },
    };
    const kubelet = new PodKubelet(this, s, pod);
    this.kubelets.set(name, kubelet);
    kubelet.save();
    if (s.unschedulable) {
      kubelet.setCondition("PodScheduled", "False", "Unschedulable", s.unschedulable);
      kubelet.event("Warning", "FailedScheduling", s.unschedulable, undefined, "default-scheduler");
      kubelet.save();
      const autoscaler = s.autoscaler;
      if (autoscaler?.outcome === "not-triggered")
        this.later(0.2, () =>
          kubelet.event(
            "Normal",
            "NotTriggerScaleUp",
            "pod didn't trigger scale-up: 1 max node group size reached",
            undefined,
            "cluster-autoscaler",
          ),
        );
      if (autoscaler?.outcome === "triggered") {
        this.later(0.2, () =>
          kubelet.event(
            "Normal",
            "TriggeredScaleUp",
            "pod triggered scale-up: [{aks-user-12345678-vmss 2->3 (max: 5)}]",
            undefined,
            "cluster-autoscaler",
          ),
        );
        if (autoscaler.nodeArrivesAfter !== undefined) this.later(autoscaler.nodeArrivesAfter, () => kubelet.schedule());
      }
      return;
    }
    this.later(0.1, () => kubelet.schedule());
  }

  /**
   * Recomputes the status fields `kubectl rollout status` and the verifier read, once per turn of
   * the event loop however many of the workload's pods changed in it — as a controller's work
   * queue folds repeated syncs of one key
   * (https://github.com/kubernetes/client-go/blob/master/util/workqueue/queue.go). Writing it on
   * every pod change made 5,000 pods 15,000 workload updates.
   */
  refreshWorkload(s: WorkloadScenario): void {
    const key = `${collection(s.kind)}/${s.namespace}/${s.name}`;
    if (this.refreshes.has(key)) return;
    this.refreshes.set(
      key,
      setImmediate(() => {
        this.refreshes.delete(key);
        this.writeStatus(s);
      }),
    );
  }

  private writeStatus(s: WorkloadScenario): void {
    const pods = this.podsOf.get(`${s.namespace}/${s.name}`) ?? { all: new Set(), ready: new Set() };
    const ready = pods.ready.size;
    const current = this.sim.get(collection(s.kind), s.namespace, s.name);
    const replicas = (current?.spec as { replicas: number }).replicas;
    const deploymentStatus = {
      updatedReplicas: pods.all.size,
      readyReplicas: ready,
      availableReplicas: ready,
      unavailableReplicas: Math.max(0, replicas - ready),
      conditions: conditions(current, ready >= replicas),
    };
    const status =
      s.kind === "Deployment"
        ? deploymentStatus
        : s.kind === "StatefulSet"
          ? { readyReplicas: ready, updatedReplicas: pods.all.size, currentReplicas: pods.all.size }
          : { numberReady: ready, updatedNumberScheduled: pods.all.size, currentNumberScheduled: pods.all.size };
    this.updateWorkload(s, { status });
  }

  private progressDeadline(s: WorkloadScenario): void {
    const current = this.sim.get("deployments", s.namespace, s.name);
    const status = current?.status as { availableReplicas?: number } | undefined;
    if ((status?.availableReplicas ?? 0) >= ((current?.spec as { replicas: number }).replicas ?? 1)) return;
    const message = `ReplicaSet "${s.name}" has timed out progressing.`;
    this.updateWorkload(s, {
      status: {
        conditions: [
          { type: "Available", status: "False", reason: "MinimumReplicasUnavailable" },
          { type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded", message },
        ],
      },
    });
  }

  private updateWorkload(s: WorkloadScenario, patch: { metadata?: object; status?: object }): void {
    const current = this.sim.get(collection(s.kind), s.namespace, s.name);
    if (!current) return;
    this.sim.put(collection(s.kind), {
      ...current,
      metadata: { ...current.metadata, ...patch.metadata },
      status: { ...(current.status as object), ...patch.status },
    });
  }

  later(seconds: number, fn: () => void): void {
    const t = setTimeout(
      () => {
        this.timers.delete(t);
        fn();
      },
      seconds * this.scale * 1000,
    );
    this.timers.add(t);
  }

  get simulator(): K8sSim {
    return this.sim;
  }
}

/** One pod's kubelet: container state machines, conditions and events. */
class PodKubelet {
  private uid?: string;
  private stopped = false;
  constructor(
    private readonly cluster: SimCluster,
    private readonly s: WorkloadScenario,
    private readonly pod: Pod,
  ) {}

  private get ns(): string {
    return this.s.namespace;
  }

  /** The pod is being deleted: this kubelet no longer writes its status. */
  stopKubelet(): void {
    this.stopped = true;
  }

  save(): void {
    if (this.stopped) return;
    this.uid = this.cluster.simulator.put("pods", this.pod as SimObject).metadata!.uid;
    this.cluster.refreshWorkload(this.s);
  }

  schedule(): void {
    this.setCondition("PodScheduled", "True");
    this.event(
      "Normal",
      "Scheduled",
      `Successfully assigned ${this.ns}/${this.pod.metadata!.name} to aks-user-12345678-vmss000000`,
      undefined,
      "default-scheduler",
    );
    const init = this.s.initContainers ?? [];
    this.pod.status!.initContainerStatuses = init.map((c) => status(c, { waiting: { reason: "PodInitializing" } }));
    this.pod.status!.containerStatuses = this.s.containers.map((c) =>
      status(c, { waiting: { reason: init.length ? "PodInitializing" : "ContainerCreating" } }),
    );
    this.save();
    if (this.s.mountFailure) return this.failMounts(this.s.mountFailure);
    this.cluster.later(STARTUP_SECONDS, () => this.runInit(0));
  }

  /** kubelet retries the mount with backoff and reports each failure. */
  private failMounts(message: string): void {
    if (this.stopped) return;
    this.event("Warning", "FailedMount", message);
    this.cluster.later(2, () => this.failMounts(message));
  }

  private runInit(index: number): void {
    const init = this.s.initContainers ?? [];
    if (index >= init.length) {
      this.setCondition("Initialized", "True");
      this.s.containers.forEach((c, i) => this.start(c, this.pod.status!.containerStatuses![i], false));
      return this.save();
    }
    const c = init[index];
    const st = this.pod.status!.initContainerStatuses![index];
    this.setCondition("Initialized", "False", "ContainersNotInitialized", `containers with incomplete status: [${c.name}]`);
    if (c.behaviour.kind === "healthy") {
      st.state = { terminated: { exitCode: 0, reason: "Completed", startedAt: now(), finishedAt: now() } };
      st.ready = true;
      this.save();
      return this.cluster.later(0.1, () => this.runInit(index + 1));
    }
    this.start(c, st, true);
    this.save();
  }

  /** Starts a container instance and schedules what its behaviour makes it do. */
  private start(c: SimContainer, st: ContainerStatus, init: boolean): void {
    const b = c.behaviour;
    const fieldPath = `spec.${init ? "initContainers" : "containers"}{${c.name}}`;
    const image = c.spec?.image ?? `registry.example.com/${c.name}:1.0`;
    if (b.kind === "image-pull") {
      st.state = { waiting: { reason: "ErrImagePull", message: `failed to pull and unpack image "${image}": not found` } };
      this.event(
        "Warning",
        "Failed",
        `Failed to pull image "${image}": rpc error: code = NotFound desc = failed to pull and unpack image "${image}": not found`,
        fieldPath,
      );
      this.cluster.later(0.5, () => {
        st.state = { waiting: { reason: "ImagePullBackOff", message: `Back-off pulling image "${image}"` } };
        this.event("Warning", "BackOff", `Back-off pulling image "${image}"`, fieldPath);
        this.save();
      });
      return;
    }
    if (b.kind === "config-error") {
      st.state = { waiting: { reason: "CreateContainerConfigError", message: b.message } };
      this.event("Warning", "Failed", `Error: ${b.message}`, fieldPath);
      return;
    }
    this.appendLogs(c.name, b.kind === "healthy" ? ["listening on :8080"] : "logs" in b ? (b.logs ?? []) : []);
    st.state = { running: { startedAt: now() } };
    st.started = true;
    if (!init) this.pod.status!.phase = "Running";
    this.event("Normal", "Started", `Started container ${c.name}`, fieldPath);
    if (b.kind === "readiness-never") return this.failReadiness(b.message, b.period ?? 1, fieldPath);
    if (b.kind === "healthy") {
      this.cluster.later(b.readyAfter ?? 0.2, () => {
        st.ready = true;
        this.updateReadiness();
        this.save();
      });
      return;
    }
    this.cluster.later(b.runFor, () => this.terminate(c, st, init, fieldPath));
  }

  private failReadiness(message: string, period: number, fieldPath: string): void {
    if (this.stopped) return;
    this.event("Warning", "Unhealthy", `Readiness probe failed: ${message}`, fieldPath);
    this.cluster.later(period, () => this.failReadiness(message, period, fieldPath));
  }

  private terminate(c: SimContainer, st: ContainerStatus, init: boolean, fieldPath: string): void {
    if (this.stopped) return;
    const b = c.behaviour as Extract<Behaviour, { kind: "crash" | "liveness-kill" }>;
    if (b.kind === "liveness-kill") {
      for (let i = 0; i < 3; i++)
        this.event(
          "Warning",
          "Unhealthy",
          'Liveness probe failed: Get "http://10.244.1.17:8080/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
          fieldPath,
        );
      this.event("Normal", "Killing", `Container ${c.name} failed liveness probe, will be restarted`, fieldPath);
    }
    const reason = b.kind === "crash" ? (b.reason ?? (b.exitCode === 0 ? "Completed" : "Error")) : "Error";
    const terminated = {
      exitCode: b.exitCode,
      reason,
      ...(b.kind === "crash" && b.message ? { message: b.message } : {}),
      startedAt: st.state?.running?.startedAt,
      finishedAt: now(),
    };
    st.state = { terminated };
    st.ready = false;
    st.started = false;
    this.updateReadiness();
    this.save();
    // kubelet restarts at once the first time, then backs off 10 s, 20 s, … up to 300 s.
    const delay = st.restartCount === 0 ? 0.1 : Math.min(BACKOFF_MAX, BACKOFF_START * 2 ** (st.restartCount - 1));
    if (st.restartCount > 0) {
      const message = `back-off ${delay}s restarting failed container=${c.name} pod=${this.pod.metadata!.name}_${this.ns}`;
      st.state = { waiting: { reason: "CrashLoopBackOff", message } };
      st.lastState = { terminated };
      this.event(
        "Warning",
        "BackOff",
        `Back-off restarting failed container ${c.name} in pod ${this.pod.metadata!.name}_${this.ns}`,
        fieldPath,
      );
      this.cluster.later(0.05, () => this.save());
    }
    this.cluster.later(delay, () => {
      st.restartCount += 1;
      st.lastState = { terminated };
      this.start(c, st, init);
      this.save();
    });
  }

  private appendLogs(container: string, lines: string[]): void {
    const key = `${this.ns}/${this.pod.metadata!.name}/${container}`;
    const logs = this.cluster.simulator.logs;
    logs.set(key, [...(logs.get(key) ?? []), lines]);
  }

  private updateReadiness(): void {
    const statuses = this.pod.status!.containerStatuses ?? [];
    const allReady = statuses.every((s) => s.ready);
    this.setCondition("ContainersReady", allReady ? "True" : "False");
    this.setCondition("Ready", allReady ? "True" : "False");
  }

  setCondition(type: string, status: "True" | "False", reason?: string, message?: string): void {
    const conditions = this.pod.status!.conditions!.filter((c) => c.type !== type);
    conditions.push({ type, status, lastTransitionTime: now(), ...(reason ? { reason } : {}), ...(message ? { message } : {}) });
    this.pod.status!.conditions = conditions;
  }

  event(type: "Normal" | "Warning", reason: string, message: string, fieldPath?: string, component = "kubelet"): void {
    if (this.stopped) return;
    this.cluster.recordEvent(
      this.ns,
      { kind: "Pod", name: this.pod.metadata!.name!, uid: this.uid },
      type,
      reason,
      message,
      fieldPath,
      component,
    );
  }
}

function specOf(c: SimContainer): Container {
  return { name: c.name, image: `registry.example.com/${c.name}:1.0`, ...c.spec };
}

function status(c: SimContainer, state: ContainerStatus["state"]): ContainerStatus {
  return { name: c.name, image: specOf(c).image!, imageID: "", ready: false, restartCount: 0, started: false, state };
}

function conditions(current: SimObject | undefined, available: boolean): object[] {
  const old = (current?.status as { conditions?: { type: string; reason?: string }[] })?.conditions ?? [];
  if (old.some((c) => c.reason === "ProgressDeadlineExceeded")) return old;
  return [
    {
      type: "Available",
      status: available ? "True" : "False",
      reason: available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
      lastUpdateTime: now(),
    },
    { type: "Progressing", status: "True", reason: available ? "NewReplicaSetAvailable" : "ReplicaSetUpdated", lastUpdateTime: now() },
  ];
}

function collection(kind: WorkloadScenario["kind"]): string {
  return { Deployment: "deployments", StatefulSet: "statefulsets", DaemonSet: "daemonsets" }[kind];
}

function podSuffix(gen: number, i: number): string {
  return ((gen * 31 + i) * 104729).toString(36).slice(-5).padStart(5, "x");
}

function now(): string {
  return new Date().toISOString();
}
