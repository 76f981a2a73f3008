/**
 * Watches one rollout to a verdict: succeeded once every desired pod of the new revision has been
 * Running, Ready and never restarted for the stabilization window; failed as soon as a new pod
 * is certain not to get there. Lists then watches — never polls.
 */
import type { Event, Pod } from "kubernetes-types/core/v1";
import { type Backoff, DEFAULT_BACKOFF, type KubeObject, mirror } from "./collection";
import { diagnosePod, isHealthy, restarts } from "./diagnosis";
import { type Connection, type KubeconfigOptions, loadConnection } from "./kubeconfig";
import { KubeClient, scrub } from "./kube-client";
import {
  COLLECTIONS,
  type RevisionObject,
  type Workload,
  defaultStableSeconds,
  desiredPods,
  isNewRevisionPod,
  newRevisionHash,
  progressDeadlineExceeded,
  revisionCollection,
  selectorString,
} from "./revision";
import type { PodDiagnosis, RolloutFailureReason, Verdict, WorkloadRef } from "./types";

export const DEFAULT_TIMEOUT_SECONDS = 300;
/** Like kstatus: a pod still Unschedulable after this long will not be scheduled by waiting. */
export const DEFAULT_UNSCHEDULABLE_GRACE_SECONDS = 15;
const LOG_TAIL_LINES = 50;
/** Failing pods whose diagnosis is completed with fresh events and logs. */
const DETAILED_PODS = 5;

export interface VerifyOptions extends KubeconfigOptions {
  workload: WorkloadRef;
  /** The generation `pulumi up` wrote; a higher one means a newer rollout superseded ours. */
  expectedGeneration?: number;
  /** Give up after this long. Default {@link DEFAULT_TIMEOUT_SECONDS}. */
  timeoutSeconds?: number;
  /** Stabilization window; default {@link defaultStableSeconds} of the pod template. */
  stableForSeconds?: number;
  /** Default {@link DEFAULT_UNSCHEDULABLE_GRACE_SECONDS}. */
  unschedulableGraceSeconds?: number;
  /** Called whenever the counts change — for progress lines, not for decisions. */
  onProgress?: (progress: Progress) => void;
  /** An already loaded connection; when set, the kubeconfig options are ignored. */
  connection?: Connection;
  backoff?: Backoff;
  /** Stops the watch and rejects with the signal's reason: a caller's own deadline. */
  signal?: AbortSignal;
}

export interface Progress {
  desired: number;
  ready: number;
  restarts: number;
  /** What we are waiting for, e.g. "waiting for the new ReplicaSet". */
  waitingFor: string;
}

/**
 * Resolves with a verdict (succeeded or failed). Rejects only when verification itself is
 * impossible: unreadable kubeconfig, API refusal (401/403 name the missing grant), or a
 * non-retryable API error — the CLI maps those to exit code 2.
 */
export async function verifyRollout(options: VerifyOptions): Promise<Verdict> {
  const connection = options.connection ?? loadConnection(options);
  const client = new KubeClient(connection);
  try {
    return await new RolloutWatch(client, options).run();
  } catch (err) {
    if (err instanceof Error) err.message = scrub(err.message, connection);
    throw err;
  } finally {
    client.close();
  }
}

class RolloutWatch {
  private readonly abort = new AbortController();
  private readonly started = Date.now();
  private readonly ref: WorkloadRef;
  private workload?: Workload;
  private workloadListed = false;
  private targetGeneration?: number;
  private revisions: ReadonlyMap<string, RevisionObject> = new Map();
  private pods: ReadonlyMap<string, Pod> = new Map();
  private events: ReadonlyMap<string, Event> = new Map();
  private readonly unschedulableSince = new Map<string, number>();
  private stableSince?: number;
  private lastProgress = "";
  private evaluationPending = false;
  private decided = false;
  private resolve!: (v: Verdict) => void;
  private reject!: (e: unknown) => void;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly client: KubeClient,
    private readonly options: VerifyOptions,
  ) {
    this.ref = options.workload;
    this.targetGeneration = options.expectedGeneration;
  }

  run(): Promise<Verdict> {
    const verdict = new Promise<Verdict>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.options.signal?.addEventListener("abort", () => this.reject(this.options.signal!.reason), { once: true });
    const timeout = this.options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    this.after(timeout, () => void this.fail("timeout", `not healthy after ${timeout}s`, this.unhealthyPods()));
    this.watch<Workload>(COLLECTIONS[this.ref.kind], "apps", { fieldSelector: `metadata.name=${this.ref.name}` }, (items) => {
      this.workload = items.get(this.ref.name);
      if (this.workload && !this.workloadListed) this.watchDependents(this.workload);
      this.workloadListed = true;
    });
    return verdict.finally(() => {
      this.abort.abort();
      this.timers.forEach(clearTimeout);
    });
  }

  /** Pods, revisions and events can only be selected once the workload's selector is known. */
  private watchDependents(workload: Workload): void {
    const labelSelector = selectorString(workload.spec?.selector);
    this.watch<Pod>("pods", "", { labelSelector }, (items) => (this.pods = items));
    this.watch<Event>("events", "", { fieldSelector: "involvedObject.kind=Pod" }, (items) => (this.events = items));
    const revisions = revisionCollection(this.ref.kind);
    if (revisions) this.watch<RevisionObject>(revisions, "apps", { labelSelector }, (items) => (this.revisions = items));
  }

  private watch<T extends KubeObject>(resource: string, group: "" | "apps", query: Record<string, string>, update: (items: ReadonlyMap<string, T>) => void): void {
    const base = group ? `/apis/${group}/v1` : "/api/v1";
    const spec = { path: `${base}/namespaces/${this.ref.namespace}/${resource}`, query, resource, namespace: this.ref.namespace };
    mirror<T>(this.client, spec, (items) => {
      update(items);
      this.scheduleEvaluate();
    }, this.abort.signal, this.options.backoff ?? DEFAULT_BACKOFF).catch((err) => this.reject(err));
  }

  /**
   * One evaluation per burst of watch events: a list of 1,000 pods, or a rollout moving them all,
   * arrives as a flurry, and judging after each event would cost O(pods²).
   */
  private scheduleEvaluate(): void {
    if (this.evaluationPending) return;
    this.evaluationPending = true;
    setImmediate(() => {
      this.evaluationPending = false;
      this.evaluate();
    });
  }

  private evaluate(): void {
    if (this.decided || !this.workloadListed) return;
    const w = this.workload;
    const what = `${this.ref.kind} ${this.ref.namespace}/${this.ref.name}`;
    if (!w) return void this.fail("not-found", `${what} does not exist`, []);
    const generation = w.metadata?.generation ?? 0;
    this.targetGeneration ??= generation;
    if (generation > this.targetGeneration) {
      return void this.fail("superseded", `superseded: generation ${generation} replaced generation ${this.targetGeneration} before it became healthy`, []);
    }
    if ((w.status?.observedGeneration ?? 0) < generation) return this.progress(0, 0, 0, `the controller to observe generation ${generation}`);
    const deadline = progressDeadlineExceeded(this.ref.kind, w);
    if (deadline) return void this.fail("progress-deadline", `progress deadline exceeded: ${deadline}`, this.unhealthyPods());
    const hash = newRevisionHash(this.ref.kind, w, this.revisions.values());
    const desired = desiredPods(this.ref.kind, w);
    if (!hash) return this.progress(desired, 0, 0, "the new revision to be created");

    const pods = this.newPods();
    const diagnoses = this.diagnose(pods.filter((p) => !isHealthy(p)));
    const crashed = diagnoses.filter((d) => d.failures.length > 0);
    if (crashed.length > 0) return void this.fail("pod-failed", `${crashed.length} of ${desired} new pods failing`, crashed);
    const stuck = this.unschedulablePastGrace(diagnoses);
    if (stuck.length > 0) return void this.fail("unschedulable", `${stuck.length} of ${desired} new pods cannot be scheduled`, stuck);

    const healthy = pods.filter(isHealthy).length;
    const restartTotal = pods.reduce((n, p) => n + restarts(p), 0);
    if (healthy < desired) {
      this.stableSince = undefined;
      return this.progress(desired, healthy, restartTotal, `${desired - healthy} more pods to become ready`);
    }
    const window = this.options.stableForSeconds ?? defaultStableSeconds(w.spec?.template);
    if (this.stableSince === undefined) {
      this.stableSince = Date.now();
      this.after(window, () => this.evaluate());
    }
    if (Date.now() - this.stableSince >= window * 1000) {
      this.decided = true;
      return void this.decide({ verdict: "succeeded", message: `${healthy}/${desired} new pods Running and Ready with 0 restarts for ${window}s`, pods: [] }, desired, healthy);
    }
    this.progress(desired, healthy, restartTotal, `pods to stay ready for ${window}s`);
  }

  private unschedulablePastGrace(diagnoses: PodDiagnosis[]): PodDiagnosis[] {
    const grace = (this.options.unschedulableGraceSeconds ?? DEFAULT_UNSCHEDULABLE_GRACE_SECONDS) * 1000;
    const now = Date.now();
    const stuck: PodDiagnosis[] = [];
    for (const d of diagnoses) {
      if (!d.podFailure) {
        this.unschedulableSince.delete(d.pod);
        continue;
      }
      // Our own clock, not the condition's timestamp: the API server's clock may differ.
      const since = this.unschedulableSince.get(d.pod) ?? now;
      if (!this.unschedulableSince.has(d.pod)) {
        this.unschedulableSince.set(d.pod, since);
        this.after(grace / 1000, () => this.evaluate());
      }
      if (now - since >= grace) stuck.push(d);
    }
    return stuck;
  }

  private unhealthyPods(): PodDiagnosis[] {
    return this.diagnose(this.newPods().filter((p) => !isHealthy(p)));
  }

  /** Each pod judged with its own events only: indexing once keeps this linear in pods + events. */
  private diagnose(pods: Pod[]): PodDiagnosis[] {
    const byPod = new Map<string, Event[]>();
    for (const e of this.events.values()) {
      const name = e.involvedObject?.name ?? "";
      const list = byPod.get(name);
      if (list) list.push(e);
      else byPod.set(name, [e]);
    }
    return pods.map((p) => diagnosePod(p, byPod.get(p.metadata?.name ?? "") ?? []));
  }

  /** Only the newest revision's pods count; old ones are being replaced anyway. */
  private newPods(): Pod[] {
    const hash = this.workload && newRevisionHash(this.ref.kind, this.workload, this.revisions.values());
    return hash ? [...this.pods.values()].filter((p) => isNewRevisionPod(this.ref.kind, hash, p)) : [];
  }

  private progress(desired: number, ready: number, restartTotal: number, waitingFor: string): void {
    const key = `${desired}/${ready}/${restartTotal}/${waitingFor}`;
    if (key === this.lastProgress) return;
    this.lastProgress = key;
    this.options.onProgress?.({ desired, ready, restarts: restartTotal, waitingFor });
  }

  /** Completes failing diagnoses with fresh events (closing the race with the events watch) and log tails. */
  private async fail(reason: RolloutFailureReason, message: string, pods: PodDiagnosis[]): Promise<void> {
    if (this.decided) return;
    this.decided = true;
    try {
      // Fresh events and log tails for the first few pods: enough to see the cause without
      // two API calls for each of a thousand identical failures.
      const complete = await Promise.all(pods.map((d, i) => (i < DETAILED_PODS ? this.complete(d) : d)));
      const desired = this.workload ? desiredPods(this.ref.kind, this.workload) : 0;
      this.decide({ verdict: "failed", reason, message, pods: complete }, desired, this.newPods().filter(isHealthy).length);
    } catch (err) {
      this.reject(err);
    }
  }

  private async complete(d: PodDiagnosis): Promise<PodDiagnosis> {
    const pod = this.pods.get(d.pod);
    if (!pod) return d;
    const ns = this.ref.namespace;
    const target = { verb: "list" as const, resource: "events", namespace: ns };
    const fresh = await this.client.getJSON<{ items?: Event[] }>(`/api/v1/namespaces/${ns}/events`, { fieldSelector: `involvedObject.name=${d.pod}` }, target, this.abort.signal);
    // The watched events and the fresh list overlap; an event's name identifies it.
    const events = new Map<string, Event>();
    for (const e of [...this.events.values(), ...(fresh.items ?? [])]) if (e.involvedObject?.name === d.pod) events.set(e.metadata?.name ?? "", e);
    const full = diagnosePod(pod, [...events.values()]);
    for (const f of full.failures.filter((x) => x.logsFrom)) {
      full.logs[f.container] = await this.logTail(d.pod, f.container, f.logsFrom === "previous");
    }
    return full;
  }

  private async logTail(pod: string, container: string, previous: boolean): Promise<string[]> {
    const ns = this.ref.namespace;
    const query = { container, tailLines: String(LOG_TAIL_LINES), ...(previous ? { previous: "true" } : {}) };
    try {
      const text = await this.client.getText(`/api/v1/namespaces/${ns}/pods/${pod}/log`, query, { verb: "get", resource: "pods/log", namespace: ns }, this.abort.signal);
      return text.replace(/\n$/, "").split("\n");
    } catch (err) {
      return [`(logs unavailable: ${err instanceof Error ? err.message : String(err)})`];
    }
  }

  private decide(result: Pick<Verdict, "verdict" | "message" | "pods" | "reason">, desired: number, ready: number): void {
    const w = this.workload;
    const hash = w ? newRevisionHash(this.ref.kind, w, this.revisions.values()) : undefined;
    this.resolve({
      ...result,
      workload: { ...this.ref, ...(w?.metadata?.generation !== undefined ? { generation: w.metadata.generation } : {}), ...(hash ? { revision: hash } : {}) },
      elapsedSeconds: Math.round((Date.now() - this.started) / 100) / 10,
      desiredPods: desired,
      readyPods: ready,
    });
  }

  /** Timers fire a little late on purpose: a check at exactly `seconds` could find it a millisecond short. */
  private after(seconds: number, fn: () => void): void {
    this.timers.push(setTimeout(fn, seconds * 1000 + 20));
  }
}
