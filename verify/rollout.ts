/**
 * Watches one rollout to a verdict: succeeded once every desired pod of the new revision has been
 * Running, Ready and never restarted for the stabilization window (and the controller's own
 * rules for "done" hold — see revision.ts); failed as soon as the cause is certain, naming it.
 * Where the cluster is acting (a node being added), it waits and says so. Lists then watches —
 * never polls. An API that keeps failing ends in an error, never in a failed-rollout verdict.
 */
import type { Event, Pod } from "kubernetes-types/core/v1";
import { type Backoff, DEFAULT_BACKOFF, type KubeObject, type MirrorHealth, mirror } from "./collection";
import { DEFAULT_GRACES, type Graces, diagnosePod, eventMatters, isFailing, isHealthy, podEventIndex, restarts } from "./diagnosis";
import { type Connection, type KubeconfigOptions, loadConnection } from "./kubeconfig";
import { ApiError, KubeClient, scrub } from "./kube-client";
import { timerMs } from "./backoff";
import { createFailureFix } from "./remedy";
import { slimEvent, slimPod } from "./projection";
import { text } from "./read";
import {
  COLLECTIONS,
  type RevisionObject,
  type Workload,
  defaultStableSeconds,
  isNewRevisionPod,
  newRevisionHash,
  progressDeadlineExceeded,
  replicaFailure,
  revisionCollection,
  rolloutPlan,
  selectorString,
} from "./revision";
import type { PodDiagnosis, RolloutFailureReason, Verdict, WorkloadRef } from "./types";

export const DEFAULT_TIMEOUT_SECONDS = 300;
/** Like kstatus: a pod still Unschedulable after this long will not be scheduled by waiting. */
export const DEFAULT_UNSCHEDULABLE_GRACE_SECONDS = DEFAULT_GRACES.unschedulable;
/** Fetching events and log tails for a failure waits at most this long, so a stuck call cannot hold the verdict. */
const DETAIL_DEADLINE_SECONDS = 5;
const LOG_TAIL_LINES = 50;
/** Failing pods whose diagnosis is completed with fresh events and logs. */
const DETAILED_PODS = 5;

export interface VerifyOptions extends KubeconfigOptions {
  workload: WorkloadRef;
  /** The generation `pulumi up` wrote; a higher one means a newer rollout superseded ours. */
  expectedGeneration?: number;
  /** Give up after this long. @default {@link DEFAULT_TIMEOUT_SECONDS} (300) */
  timeoutSeconds?: number;
  /** Stabilization window. @default {@link defaultStableSeconds} of the pod template */
  stableForSeconds?: number;
  /** Same as `graces.unschedulable`. @default {@link DEFAULT_UNSCHEDULABLE_GRACE_SECONDS} */
  unschedulableGraceSeconds?: number;
  /** How long stalls may last before they fail the rollout. @default {@link DEFAULT_GRACES} */
  graces?: Partial<Graces>;
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
  // Every call — watches, lists, credential plugins — is bounded by the verdict's own deadline,
  // plus the few seconds the failure details may take; nothing outlives `timeoutSeconds` for long.
  const timeout = options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  const client = new KubeClient(connection, { deadline: Date.now() + timerMs((timeout + DETAIL_DEADLINE_SECONDS + 1) * 1000) });
  try {
    return await new RolloutWatch(client, connection.server, options).run();
  } catch (err) {
    if (err instanceof Error) err.message = scrub(err.message, connection);
    throw err;
  } finally {
    client.close();
  }
}

/** Failure details (fresh events, log tails) get a few seconds of their own, even after the verdict's deadline. */
function detailDeadline(): { deadline: number } {
  return { deadline: Date.now() + DETAIL_DEADLINE_SECONDS * 1000 };
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
  /** When we first saw each stall (pod/key), by our clock. */
  private readonly stallSince = new Map<string, number>();
  private readonly health = new Map<string, MirrorHealth>();
  /** The revision being verified, once known: a later generation with the same one is scaling. */
  private revision?: string;
  private waitTimer?: NodeJS.Timeout;
  private stableSince?: number;
  private lastProgress = "";
  private lastWaitingFor?: string;
  private evaluationPending = false;
  private decided = false;
  private resolve!: (v: Verdict) => void;
  private reject!: (e: unknown) => void;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly client: KubeClient,
    private readonly server: string,
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
    this.after(timeout, () => this.timedOut(timeout));
    this.watch<Workload>(COLLECTIONS[this.ref.kind], "apps", { fieldSelector: `metadata.name=${this.ref.name}` }, (items) => {
      this.workload = items.get(this.ref.name);
      if (this.workload && !this.workloadListed) this.watchDependents(this.workload);
      this.workloadListed = true;
    });
    return verdict.finally(() => {
      this.abort.abort();
      this.timers.forEach(clearTimeout);
      clearTimeout(this.waitTimer);
    });
  }

  /** Pods, revisions and events can only be selected once the workload's selector is known. */
  private watchDependents(workload: Workload): void {
    const labelSelector = selectorString(workload.spec?.selector);
    // Thousands of pods and their events are kept for the whole watch: only what is read of them.
    this.watch<Pod>("pods", "", { labelSelector }, (items) => (this.pods = items), slimPod);
    // All the namespace's events: pods', and the ReplicaSet's or workload's FailedCreate (quota, admission).
    this.watch<Event>(
      "events",
      "",
      {},
      (items) => (this.events = items),
      (e) => (eventMatters(e) ? slimEvent(e) : undefined),
    );
    const revisions = revisionCollection(this.ref.kind);
    if (revisions) this.watch<RevisionObject>(revisions, "apps", { labelSelector }, (items) => (this.revisions = items));
  }

  private watch<T extends KubeObject>(
    resource: string,
    group: "" | "apps",
    query: Record<string, string>,
    update: (items: ReadonlyMap<string, T>) => void,
    keep?: (item: T) => T | undefined,
  ): void {
    const base = group ? `/apis/${group}/v1` : "/api/v1";
    const spec = { path: `${base}/namespaces/${this.ref.namespace}/${resource}`, query, resource, namespace: this.ref.namespace, keep };
    const health: MirrorHealth = { listed: false };
    this.health.set(resource, health);
    mirror<T>(
      this.client,
      spec,
      (items) => {
        update(items);
        this.scheduleEvaluate();
      },
      this.abort.signal,
      this.options.backoff ?? DEFAULT_BACKOFF,
      health,
    ).catch((err) => this.reject(err));
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
    if ((w.status?.observedGeneration ?? 0) < generation)
      return this.progress(0, 0, 0, `the controller to observe generation ${generation}`);
    const hash = newRevisionHash(this.ref.kind, w, this.revisions.values());
    if (generation > this.targetGeneration) {
      // An HPA or `kubectl scale` changes spec.replicas: a new generation, the same template and revision.
      if (!this.revision || hash !== this.revision) {
        return void this.fail(
          "superseded",
          `superseded: generation ${generation} replaced generation ${this.targetGeneration} before it became healthy`,
          [],
        );
      }
      this.targetGeneration = generation;
    }
    const deadline = progressDeadlineExceeded(this.ref.kind, w);
    const plan = rolloutPlan(this.ref.kind, w);
    const pods = hash ? this.newPods(hash) : [];
    const cannotCreate = replicaFailure(this.ref.kind, w, this.revisions.values(), this.events.values(), pods.length < plan.newPods);
    if (cannotCreate)
      return void this.fail(
        "replica-failure",
        `the controller cannot create the new pods: ${cannotCreate} — fix: ${createFailureFix(cannotCreate).text}`,
        [],
      );
    if (deadline) return void this.fail("progress-deadline", `progress deadline exceeded: ${deadline}`, this.unhealthyPods());
    if (plan.paused) return this.progress(plan.newPods, 0, 0, "the Deployment to be resumed (spec.paused is true; kubectl rollout resume)");
    if (!hash) return this.progress(plan.newPods, 0, 0, "the new revision to be created");
    this.revision ??= hash;

    const { failing, firstStall, nearestStallSeconds } = this.judge(pods);
    if (failing.length > 0) {
      const unschedulable = failing.every((d) => d.failures.length === 0 && d.podFailure?.category === "unschedulable");
      const message = unschedulable
        ? `${failing.length} of ${plan.newPods} new pods cannot be scheduled`
        : `${failing.length} of ${plan.newPods} new pods failing`;
      return void this.fail(unschedulable ? "unschedulable" : "pod-failed", message, failing);
    }
    if (nearestStallSeconds !== undefined) this.wakeForStalls(nearestStallSeconds);

    const healthy = pods.filter(isHealthy).length;
    const restartTotal = pods.reduce((n, p) => n + restarts(p), 0);
    if (healthy < plan.newPods) {
      this.stableSince = undefined;
      return this.progress(plan.newPods, healthy, restartTotal, firstStall ?? `${plan.newPods - healthy} more pods to become ready`);
    }
    const old = plan.oldPodsMustGo ? this.oldPods(hash) : [];
    if (old.length > 0) {
      this.stableSince = undefined;
      return this.progress(
        plan.newPods,
        healthy,
        restartTotal,
        `${old.length} old pod${old.length > 1 ? "s" : ""} to terminate (${old.slice(0, 3).join(", ")})`,
      );
    }
    const window = Math.max(this.options.stableForSeconds ?? defaultStableSeconds(w.spec?.template), plan.minReadySeconds);
    const done = (message: string) => {
      this.decided = true;
      this.decide({ verdict: "succeeded", message, pods: [] }, plan.newPods, healthy);
    };
    if (plan.newPods === 0)
      return done(
        plan.onDelete
          ? "updateStrategy OnDelete: pods are replaced only when deleted, so the rollout is done once observed"
          : "no pods to update (partition covers every replica)",
      );
    if (this.stableSince === undefined) {
      this.stableSince = Date.now();
      this.after(window, () => this.evaluate());
    }
    if (Date.now() - this.stableSince >= window * 1000)
      return done(`${healthy}/${plan.newPods} new pods Running and Ready with 0 restarts for ${window}s`);
    this.progress(plan.newPods, healthy, restartTotal, `pods to stay ready for ${window}s`);
  }

  /**
   * The unhealthy pods' failing diagnoses, the first stall and the nearest stall's remaining
   * grace — gathered pod by pod, so that of thousands of pods still starting only the failing
   * ones' diagnoses are held at once.
   */
  private judge(pods: Pod[]): { failing: PodDiagnosis[]; firstStall?: string; nearestStallSeconds?: number } {
    const eventsOf = podEventIndex(this.events.values());
    const failing: PodDiagnosis[] = [];
    let firstStall: string | undefined;
    let nearestStallSeconds: number | undefined;
    for (const pod of pods) {
      if (isHealthy(pod)) continue;
      const d = this.diagnoseOne(pod, eventsOf(pod));
      if (isFailing(d)) failing.push(d);
      for (const stall of d.waiting ?? []) {
        firstStall ??= `${d.pod}: ${stall.message}`;
        if (stall.remainingSeconds !== undefined) nearestStallSeconds = Math.min(nearestStallSeconds ?? Infinity, stall.remainingSeconds);
      }
    }
    return { failing, firstStall, nearestStallSeconds };
  }

  /** Re-evaluates when the nearest stall's grace runs out. */
  private wakeForStalls(remainingSeconds: number): void {
    clearTimeout(this.waitTimer);
    this.waitTimer = setTimeout(() => this.evaluate(), remainingSeconds * 1000 + 20);
  }

  private get graces(): Partial<Graces> {
    const unschedulable = this.options.unschedulableGraceSeconds;
    return { ...(unschedulable !== undefined ? { unschedulable } : {}), ...this.options.graces };
  }

  /**
   * At the timeout: an API that kept failing (or never answered) is an error naming the call —
   * not a verdict on the rollout; otherwise a timeout verdict that says what it was waiting for.
   */
  private timedOut(timeout: number): void {
    if (this.decided) return;
    for (const health of this.health.values()) {
      if (health.lastError) {
        this.decided = true;
        const status = health.lastError instanceof ApiError ? health.lastError.status : 0;
        return this.reject(new ApiError(`no verdict after ${timeout}s: the API kept failing — ${health.lastError.message}`, status));
      }
      if (!health.listed) {
        this.decided = true;
        return this.reject(
          new ApiError(
            `no verdict after ${timeout}s: no answer from the API server ${this.server} to ${health.calling ?? "the first request"}`,
            0,
          ),
        );
      }
    }
    const pods = this.unhealthyPods();
    const cause = this.bestKnownCause(pods);
    void this.fail("timeout", `not healthy after ${timeout}s${cause ? `: ${cause}` : ""}`, pods, cause);
  }

  /** What the rollout was still waiting for, and the first pod's stall or failure that explains it. */
  private bestKnownCause(pods: PodDiagnosis[]): string | undefined {
    const stall = pods.flatMap((d) => (d.waiting ?? []).map((s) => `${d.pod}: ${s.message}`))[0];
    const waitingFor = this.lastWaitingFor ? `waiting for ${this.lastWaitingFor}` : undefined;
    return [waitingFor, stall && !waitingFor?.includes(stall) ? stall : undefined].filter(Boolean).join("; ") || undefined;
  }

  private oldPods(hash: string): string[] {
    return [...this.pods.values()].filter((p) => !isNewRevisionPod(this.ref.kind, hash, p)).map((p) => text(p.metadata?.name) ?? "?");
  }

  private unhealthyPods(): PodDiagnosis[] {
    return this.diagnose(this.newPods().filter((p) => !isHealthy(p)));
  }

  /** Each pod judged with its own events only. */
  private diagnose(pods: Pod[]): PodDiagnosis[] {
    const eventsOf = podEventIndex(this.events.values());
    return pods.map((p) => this.diagnoseOne(p, eventsOf(p)));
  }

  /** Stalls are timed by our own clock from when we first saw them: the API server's clock may differ from ours. */
  private diagnoseOne(pod: Pod, events: Event[]): PodDiagnosis {
    const now = Date.now();
    const name = text(pod.metadata?.name) ?? "";
    const since = (key: string) => {
      const k = `${name}/${key}`;
      if (!this.stallSince.has(k)) this.stallSince.set(k, now);
      return this.stallSince.get(k);
    };
    return diagnosePod(pod, events, { now, since, graces: this.graces });
  }

  /** Only the newest revision's pods count; old ones are being replaced anyway. */
  private newPods(hash = this.workload && newRevisionHash(this.ref.kind, this.workload, this.revisions.values())): Pod[] {
    return hash ? [...this.pods.values()].filter((p) => isNewRevisionPod(this.ref.kind, hash, p)) : [];
  }

  private progress(desired: number, ready: number, restartTotal: number, waitingFor: string): void {
    this.lastWaitingFor = waitingFor;
    const key = `${desired}/${ready}/${restartTotal}/${waitingFor}`;
    if (key === this.lastProgress) return;
    this.lastProgress = key;
    this.options.onProgress?.({ desired, ready, restarts: restartTotal, waitingFor });
  }

  /** Completes failing diagnoses with fresh events (closing the race with the events watch) and log tails. */
  private async fail(reason: RolloutFailureReason, message: string, pods: PodDiagnosis[], cause?: string): Promise<void> {
    if (this.decided) return;
    this.decided = true;
    // Fresh events and log tails for the first few pods: enough to see the cause without two API
    // calls for each of a thousand identical failures — and never worth waiting on for long.
    const details = new AbortController();
    const detailed = Promise.all(pods.map((d, i) => (i < DETAILED_PODS ? this.complete(d, details.signal).catch(() => d) : d)));
    const deadline = new Promise<PodDiagnosis[]>((resolve) =>
      this.timers.push(setTimeout(() => resolve(pods), DETAIL_DEADLINE_SECONDS * 1000)),
    );
    const complete = await Promise.race([detailed, deadline]);
    details.abort();
    const desired = this.workload ? rolloutPlan(this.ref.kind, this.workload).newPods : 0;
    this.decide(
      { verdict: "failed", reason, message, pods: complete, ...(cause ? { cause } : {}) },
      desired,
      this.newPods().filter(isHealthy).length,
    );
  }

  private async complete(d: PodDiagnosis, signal: AbortSignal): Promise<PodDiagnosis> {
    const pod = this.pods.get(d.pod);
    if (!pod) return d;
    const ns = this.ref.namespace;
    const target = { verb: "list" as const, resource: "events", namespace: ns };
    const fresh = await this.client.getJSON<{ items?: Event[] }>(
      `/api/v1/namespaces/${ns}/events`,
      { fieldSelector: `involvedObject.name=${d.pod}` },
      target,
      signal,
      detailDeadline(),
    );
    // The watched events and the fresh list overlap; an event's name identifies it.
    const events = new Map<string, Event>();
    for (const e of [...this.events.values(), ...(Array.isArray(fresh?.items) ? fresh.items : [])])
      if (e?.involvedObject?.name === d.pod) events.set(text(e.metadata?.name) ?? "", e);
    const full = this.diagnoseOne(pod, [...events.values()]);
    if (!isFailing(full)) return d;
    for (const f of full.failures.filter((x) => x.logsFrom)) {
      full.logs[f.container] = await this.logTail(d.pod, f.container, f.logsFrom === "previous", signal);
    }
    return full;
  }

  private async logTail(pod: string, container: string, previous: boolean, signal: AbortSignal): Promise<string[]> {
    const ns = this.ref.namespace;
    const query = { container, tailLines: String(LOG_TAIL_LINES), ...(previous ? { previous: "true" } : {}) };
    try {
      const text = await this.client.getText(
        `/api/v1/namespaces/${ns}/pods/${pod}/log`,
        query,
        { verb: "get", resource: "pods/log", namespace: ns },
        signal,
        detailDeadline(),
      );
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
      workload: {
        ...this.ref,
        ...(w?.metadata?.generation !== undefined ? { generation: w.metadata.generation } : {}),
        ...(hash ? { revision: hash } : {}),
      },
      elapsedSeconds: Math.round((Date.now() - this.started) / 100) / 10,
      desiredPods: desired,
      readyPods: ready,
    });
  }

  /** Timers fire a little late on purpose: a check at exactly `seconds` could find it a millisecond short. */
  private after(seconds: number, fn: () => void): void {
    this.timers.push(setTimeout(fn, timerMs(seconds * 1000 + 20)));
  }
}
