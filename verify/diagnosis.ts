/**
 * Pod health and diagnosis as pure functions over plain Pod and Event objects (kstatus style,
 * https://github.com/kubernetes-sigs/cli-utils/blob/master/pkg/kstatus/status/core.go): the same
 * code judges pods watched live and pods read from a `kubectl get pods,events -o json` dump.
 *
 * Some states fail a pod only once they have lasted: Unschedulable, a retrying mount, a sandbox
 * the CNI cannot set up, a lost node, readiness failing past its own window. Each is judged by
 * how long it has lasted at `now` — from the API's timestamps offline, from the verifier's own
 * clock live — against the same graces.
 */
import type { Container, ContainerStateTerminated, ContainerStatus, Event, Pod, PodCondition, Probe } from "kubernetes-types/core/v1";
import { isRecord, num, records, text, timeOf } from "./read";
import { describeProbe, fixFor, podFixFor, probeWindowSeconds } from "./remedy";
import type { ContainerFailure, EventSummary, FailureCategory, PodDiagnosis, PodFailureCategory, Stall } from "./types";

/** Waiting reasons that never resolve on their own. ContainerCreating and PodInitializing are transient. A Map: the keys come from the API. */
const FAILING_WAITING_REASONS = new Map<string, FailureCategory>([
  ["CrashLoopBackOff", "crash-loop"],
  ["ImagePullBackOff", "image-pull"],
  ["ErrImagePull", "image-pull"],
  ["ErrImageNeverPull", "image-pull"],
  ["InvalidImageName", "image-pull"],
  ["ImageInspectError", "image-pull"],
  ["RegistryUnavailable", "image-pull"],
  ["CreateContainerConfigError", "config-error"],
  ["CreateContainerError", "create-error"],
  ["RunContainerError", "create-error"],
  ["PreStartHookError", "create-error"],
  ["PostStartHookError", "create-error"],
]);

const SIGNAL_NAMES = new Map<number, string>([
  [1, "SIGHUP"],
  [2, "SIGINT"],
  [6, "SIGABRT"],
  [9, "SIGKILL"],
  [11, "SIGSEGV"],
  [15, "SIGTERM"],
]);

/** Events worth showing even when they are not Warnings. */
const NOTABLE_REASONS = new Set([
  "Killing",
  "BackOff",
  "Unhealthy",
  "FailedScheduling",
  "FailedMount",
  "Failed",
  "FailedCreatePodSandBox",
  "TriggeredScaleUp",
  "NotTriggerScaleUp",
  "Evicted",
]);

/** Reasons read besides Warnings: the notable ones, a volume that cannot attach, and a controller's FailedCreate (revision.ts). */
const READ_REASONS = new Set([...NOTABLE_REASONS, "FailedAttachVolume", "FailedCreate"]);

const MAX_EVENTS = 10;

/** How long a state may last before it is a failure, in seconds. */
export interface Graces {
  /** Unschedulable with no autoscaler at work; kstatus waits 15 s. */
  unschedulable: number;
  /** Unschedulable while the cluster autoscaler says TriggeredScaleUp: a node is on its way. */
  nodeProvisioning: number;
  /** Retrying mounts, sandbox (CNI) failures, scheduling gates, a lost node, ContainerCreating with no event. */
  stuck: number;
  /** An init container still running. */
  initRunning: number;
  /** Overrides the readiness probe's own failure window (initialDelaySeconds + periodSeconds × failureThreshold, after the startup probe's). */
  readiness?: number;
}

export const DEFAULT_GRACES: Graces = { unschedulable: 15, nodeProvisioning: 600, stuck: 120, initRunning: 600 };

export interface DiagnoseOptions {
  /** The moment to judge ages at, ms since the epoch; default the current time. */
  now?: number;
  graces?: Partial<Graces>;
  /** Restarts that ended longer ago than this are reported but do not fail the pod. */
  sinceSeconds?: number;
  /**
   * When a state (named by `key`) began. Default: the API's timestamp. The live verifier answers
   * from its own clock instead, since the API server's clock may differ from ours.
   */
  since?: (key: string, stamp: number | undefined) => number | undefined;
  /** Field path of the pod spec; default {@link podSpecPath}. */
  specPath?: string;
}

interface Context {
  pod: Pod;
  events: Event[];
  now: number;
  graces: Graces;
  sinceSeconds?: number;
  since: (key: string, stamp: number | undefined) => number | undefined;
  specPath: string;
}

export function restarts(pod: Pod): number {
  return allStatuses(pod).reduce((sum, s) => sum + (num(s.restartCount) ?? 0), 0);
}

export function isReady(pod: Pod): boolean {
  const status = isRecord(pod?.status) ? pod.status : undefined;
  return status?.phase === "Running" && conditions(pod).some((c) => c.type === "Ready" && c.status === "True");
}

/** Running, Ready and never restarted: the only state the verifier counts as success (one rule for verify and diagnose). */
export function isHealthy(pod: Pod): boolean {
  return isReady(pod) && restarts(pod) === 0;
}

/** `spec.template.spec` for pods a controller made from a template, `spec` for bare pods. */
export function podSpecPath(pod: Pod): string {
  const owned = records<{ kind?: unknown }>(pod?.metadata?.ownerReferences).some((o) =>
    ["ReplicaSet", "StatefulSet", "DaemonSet", "Job"].includes(text(o.kind) ?? ""),
  );
  return owned ? "spec.template.spec" : "spec";
}

/**
 * Everything known about one pod from its status and events. `failures` and `podFailure` hold
 * what is certain to fail (or has lasted past its grace); `waiting` what will fail if it lasts.
 */
export function diagnosePod(pod: Pod, events: Event[], options: DiagnoseOptions = {}): PodDiagnosis {
  const ctx: Context = {
    pod,
    events: eventsFor(pod, events),
    now: options.now ?? Date.now(),
    graces: { ...DEFAULT_GRACES, ...options.graces },
    sinceSeconds: options.sinceSeconds,
    since: options.since ?? ((_key, stamp) => stamp),
    specPath: options.specPath ?? podSpecPath(pod),
  };
  const namespace = text(pod?.metadata?.namespace) ?? "default";
  const name = text(pod?.metadata?.name) ?? "(unnamed)";
  const diagnosis: PodDiagnosis = {
    namespace,
    pod: name,
    phase: text(pod?.status?.phase) ?? "Unknown",
    ready: isReady(pod),
    restarts: restarts(pod),
    failures: [],
    events: summarise(ctx.events),
    logs: {},
    commands: [],
  };
  if (pod?.metadata?.deletionTimestamp) {
    // A pod being deleted exits 143 or 0 on purpose, and no longer counts toward the rollout.
    diagnosis.terminating = true;
  } else {
    const finished = finishedPod(ctx);
    if (finished) diagnosis.podFailure = finished;
    else judge(ctx, diagnosis);
  }
  diagnosis.commands = reproduceCommands(namespace, name, diagnosis.failures);
  return diagnosis;
}

export function isFailing(d: PodDiagnosis): boolean {
  return d.failures.length > 0 || d.podFailure !== undefined;
}

function judge(ctx: Context, diagnosis: PodDiagnosis): void {
  const restartsSeen = { count: 0, lastAt: undefined as string | undefined, reason: undefined as string | undefined };
  for (const list of ["initContainers", "containers"] as const) {
    for (const item of containerItems(ctx, list)) {
      const failure = containerFailure(ctx, item, restartsSeen);
      if (failure) diagnosis.failures.push(failure);
    }
  }
  if (restartsSeen.count > 0)
    diagnosis.earlierRestarts = {
      count: restartsSeen.count,
      ...(restartsSeen.lastAt ? { lastAt: restartsSeen.lastAt } : {}),
      ...(restartsSeen.reason ? { reason: restartsSeen.reason } : {}),
    };
  const waiting: Stall[] = [];
  for (const stall of [...podStalls(ctx), ...containerStalls(ctx)]) {
    const verdict = ageVerdict(ctx, stall);
    if (verdict.failing) {
      if (stall.container !== undefined) diagnosis.failures.push(stall.failure as ContainerFailure);
      else
        diagnosis.podFailure ??= {
          ...(stall.failure as NonNullable<PodDiagnosis["podFailure"]>),
          ...(verdict.sinceIso ? { since: verdict.sinceIso } : {}),
        };
    } else {
      waiting.push({
        category: stall.category,
        ...(stall.container !== undefined ? { container: stall.container } : {}),
        message: stall.waitingMessage,
        ...(verdict.remaining !== undefined ? { remainingSeconds: verdict.remaining } : {}),
      });
    }
  }
  if (waiting.length > 0 && !isFailing(diagnosis)) diagnosis.waiting = waiting;
}

// ---------------------------------------------------------------------------------------------
// Containers that failed: waiting reasons, terminations, restarts.

interface ContainerItem {
  status: ContainerStatus;
  spec?: Container;
  path: string;
  init: boolean;
  restartsOnExit: boolean;
}

function containerItems(ctx: Context, list: "containers" | "initContainers"): ContainerItem[] {
  const init = list === "initContainers";
  const specs = records<Container>(ctx.pod?.spec?.[list]);
  const statuses = records<ContainerStatus>(init ? ctx.pod?.status?.initContainerStatuses : ctx.pod?.status?.containerStatuses);
  const policy = text(ctx.pod?.spec?.restartPolicy);
  return statuses.map((status) => {
    const index = specs.findIndex((c) => c.name === status.name);
    const spec = index >= 0 ? specs[index] : undefined;
    // Init containers with restartPolicy Always are sidecars: they restart like app containers.
    const restartsOnExit = init ? spec?.restartPolicy === "Always" : policy !== "Never" && policy !== "OnFailure";
    return { status, spec, path: `${ctx.specPath}.${list}[${index >= 0 ? index : "?"}]`, init, restartsOnExit };
  });
}

function containerFailure(
  ctx: Context,
  item: ContainerItem,
  earlier: { count: number; lastAt?: string; reason?: string },
): ContainerFailure | undefined {
  const { status, spec, path, init } = item;
  const name = text(status.name) ?? "(unnamed)";
  const prefix = init ? "Init:" : "";
  const restartCount = num(status.restartCount) ?? 0;
  const state = isRecord(status.state) ? status.state : {};
  const waiting = isRecord(state.waiting) ? state.waiting : undefined;
  const waitingReason = text(waiting?.reason);
  const waitingCategory = waitingReason !== undefined ? FAILING_WAITING_REASONS.get(waitingReason) : undefined;
  const current = isRecord(state.terminated) ? state.terminated : undefined;
  const lastState = isRecord(status.lastState) ? status.lastState : {};
  const previous = isRecord(lastState.terminated) ? lastState.terminated : undefined;

  if (waitingCategory && !(waitingCategory === "crash-loop" && previous)) {
    const detail = text(waiting?.message) ?? "";
    const category = waitingCategory === "config-error" && /runAsNonRoot/.test(detail) ? "security-context" : waitingCategory;
    return {
      container: name,
      init,
      category,
      reason: prefix + waitingReason,
      restartCount,
      message: `${waitingReason}${detail ? `: ${detail}` : ""}`,
      fix: fixFor(category, spec, path, detail),
    };
  }
  const exitFails = (t: ContainerStateTerminated) => num(t.exitCode) !== 0 || item.restartsOnExit;
  const terminated = current && exitFails(current) ? current : restartCount > 0 && previous ? previous : undefined;
  if (!terminated) {
    if (restartCount === 0) return undefined;
    // Restarted, but kubelet kept no record of why (it keeps only the last termination).
    return {
      container: name,
      init,
      category: "restarted",
      reason: prefix + (waitingReason ?? "Restarted"),
      restartCount,
      message: `restarted ${restartCount} time${restartCount > 1 ? "s" : ""}; the runtime kept no record of why`,
      fix: fixFor("restarted", spec, path),
    };
  }
  const finishedAt = timeOf(terminated.finishedAt);
  if (
    terminated === previous &&
    !current &&
    !waitingCategory &&
    ctx.sinceSeconds !== undefined &&
    finishedAt !== undefined &&
    ctx.now - finishedAt > ctx.sinceSeconds * 1000
  ) {
    earlier.count += restartCount;
    earlier.lastAt = text(terminated.finishedAt);
    earlier.reason = text(terminated.reason) ?? `exit ${num(terminated.exitCode) ?? "?"}`;
    return undefined;
  }
  const kill = killCause(ctx, name, spec, terminated);
  const category = kill?.category ?? terminationCategory(terminated);
  const signal = signalOf(terminated);
  const exitCode = num(terminated.exitCode);
  const shown = waitingReason ?? terminatedReason(terminated);
  return {
    container: name,
    init,
    category,
    reason: prefix + shown,
    restartCount,
    ...(exitCode !== undefined ? { exitCode } : {}),
    ...(signal ? { signal } : {}),
    message: kill?.message ?? terminationMessage(terminated, category, spec, signal),
    fix: fixFor(category, spec, path, text(terminated.message) ?? ""),
    logsFrom: terminated === current ? "current" : "previous",
  };
}

/**
 * Whether kubelet killed the container for a failing probe. Its events say so; without them, a
 * probe kill is inferred — and worded as inference — when the container had the probe, ended the
 * way a kill ends (0, 137 or 143, not OOMKilled), and had run at least as long as the probe
 * needs to fail.
 */
function killCause(
  ctx: Context,
  container: string,
  spec: Container | undefined,
  t: ContainerStateTerminated,
): { category: "liveness-probe" | "startup-probe"; message: string } | undefined {
  const code = exitText(t);
  for (const probe of ["startup", "liveness"] as const) {
    const confirmed = ctx.events.filter(
      (e) =>
        aboutContainer(e, container) &&
        ((e.reason === "Killing" && new RegExp(`${probe} probe`, "i").test(text(e.message) ?? "")) ||
          (e.reason === "Unhealthy" && new RegExp(`^${probe} probe failed`, "i").test(text(e.message) ?? ""))),
    );
    if (confirmed.length > 0) {
      const last = confirmed
        .filter((e) => e.reason === "Unhealthy")
        .map((e) => (text(e.message) ?? "").trim())
        .pop();
      return {
        category: `${probe}-probe`,
        message: `was killed by kubelet after failing its ${probe} probe (${code})${last ? `: ${last}` : ""}`,
      };
    }
  }
  if (text(t.reason) === "OOMKilled" || ![0, 137, 143].includes(num(t.exitCode) ?? -1)) return undefined;
  const ran = runSeconds(t);
  for (const [probe, p] of [
    ["startup", spec?.startupProbe],
    ["liveness", spec?.livenessProbe],
  ] as const) {
    if (!isRecord(p)) continue;
    const window = probeWindowSeconds(p as Probe);
    const fits =
      ran === undefined ? num(t.exitCode) !== 0 : probe === "startup" ? ran >= window - 1 && ran <= window + 15 : ran >= window - 1;
    if (fits) {
      const after = ran !== undefined ? ` after ${ran}s, past the probe's ${window}s failure window` : "";
      return {
        category: `${probe}-probe`,
        message: `was probably killed by kubelet for failing its ${probe} probe — inferred from ${code}${after} with ${describeProbe(p as Probe)}; no Killing event seen to confirm it`,
      };
    }
  }
  return undefined;
}

function runSeconds(t: ContainerStateTerminated): number | undefined {
  const start = timeOf(t.startedAt);
  const end = timeOf(t.finishedAt);
  return start !== undefined && end !== undefined ? Math.round((end - start) / 1000) : undefined;
}

function terminationCategory(t: ContainerStateTerminated): FailureCategory {
  const reason = text(t.reason);
  const exitCode = num(t.exitCode) ?? -1;
  if (reason === "OOMKilled") return "oom-killed";
  if (reason === "StartError" || reason === "ContainerCannotRun" || exitCode === 128) return "start-error";
  switch (exitCode) {
    case 0:
      return "exited";
    case 126:
      return "not-executable";
    case 127:
      return "not-found";
    case 139:
      return "segfault";
  }
  return exitCode > 128 ? "killed" : "app-error";
}

function signalOf(t: ContainerStateTerminated): string | undefined {
  const exitCode = num(t.exitCode) ?? 0;
  const n = num(t.signal) || (exitCode > 128 && exitCode < 160 ? exitCode - 128 : 0);
  return n ? (SIGNAL_NAMES.get(n) ?? `signal ${n}`) : undefined;
}

function exitText(t: ContainerStateTerminated): string {
  const signal = signalOf(t);
  return `exit ${num(t.exitCode) ?? "?"}${signal ? `, ${signal}` : ""}`;
}

/** kubectl's wording: the reason, else ExitCode:N / Signal:N. */
function terminatedReason(t: ContainerStateTerminated): string {
  const reason = text(t.reason);
  if (reason) return reason;
  return num(t.signal) ? `Signal:${t.signal}` : `ExitCode:${num(t.exitCode) ?? "?"}`;
}

function terminationMessage(
  t: ContainerStateTerminated,
  category: FailureCategory,
  spec: Container | undefined,
  signal: string | undefined,
): string {
  const code = `exit ${num(t.exitCode) ?? "?"}${signal ? `, ${signal}` : ""}`;
  const limit = text(spec?.resources?.limits?.memory);
  const what: Partial<Record<FailureCategory, string>> = {
    "oom-killed": `was OOM-killed at its memory limit${limit ? ` of ${limit}` : ""} (${code})`,
    "app-error": `exited with an application error (${code})`,
    "not-executable": `could not execute its entrypoint (${code})`,
    "not-found": `could not find its entrypoint (${code})`,
    segfault: `crashed with a segmentation fault (${code})`,
    killed: `was killed by a signal (${code})`,
    "start-error": `could not be started by the runtime (${code})`,
    exited: `exited although its pod restarts containers (${code})`,
  };
  const message = text(t.message)?.trim();
  return `${what[category] ?? `ended (${code})`}${message ? `: ${message}` : ""}`;
}

// ---------------------------------------------------------------------------------------------
// Pods that are over: evicted or rejected by the kubelet.

function finishedPod(ctx: Context): PodDiagnosis["podFailure"] | undefined {
  const status = isRecord(ctx.pod?.status) ? ctx.pod.status : undefined;
  if (text(status?.phase) !== "Failed") return undefined;
  const reason = text(status?.reason) ?? "";
  const message = text(status?.message) ?? "";
  // A Job's pod fails by its containers' exits; only a pod that should run forever, failed with a
  // reason of its own, was refused by the kubelet (OutOfcpu, OutOfmemory, NodeAffinity…).
  const restartsForever = !["Never", "OnFailure"].includes(text(ctx.pod?.spec?.restartPolicy) ?? "Always");
  if (reason !== "Evicted" && (!reason || !restartsForever)) return undefined;
  const category: PodFailureCategory = reason === "Evicted" ? "evicted" : "rejected";
  const what = category === "evicted" ? "was evicted by the kubelet" : `was rejected by the kubelet${reason ? ` (${reason})` : ""}`;
  return {
    category,
    message: `${what}${message ? `: ${message}` : ""}`,
    fix: podFixFor(category, ctx.pod, ctx.specPath, `${reason} ${message}`.trim()),
  };
}

// ---------------------------------------------------------------------------------------------
// States that fail only once they have lasted.

interface Candidate {
  key: string;
  category: PodFailureCategory | FailureCategory;
  container?: string;
  /** When it began by the API's clock; undefined if unknown. */
  stamp?: number;
  grace: number;
  waitingMessage: string;
  failure: NonNullable<PodDiagnosis["podFailure"]> | ContainerFailure;
}

function ageVerdict(ctx: Context, c: Candidate): { failing: boolean; remaining?: number; sinceIso?: string } {
  if (c.grace <= 0) return { failing: true, ...(c.stamp !== undefined ? { sinceIso: new Date(c.stamp).toISOString() } : {}) };
  const since = ctx.since(c.key, c.stamp);
  if (since === undefined) return { failing: false };
  const remaining = c.grace - (ctx.now - since) / 1000;
  return remaining <= 0
    ? { failing: true, sinceIso: new Date(since).toISOString() }
    : { failing: false, remaining: Math.ceil(remaining * 10) / 10 };
}

function podStalls(ctx: Context): Candidate[] {
  const out: Candidate[] = [];
  const scheduled = conditions(ctx.pod).find((c) => c.type === "PodScheduled");
  if (scheduled?.status === "False" && scheduled.reason === "Unschedulable") out.push(unschedulable(ctx, scheduled));
  if (scheduled?.status === "False" && scheduled.reason === "SchedulingGated") {
    const gates = records<{ name?: unknown }>(ctx.pod?.spec?.schedulingGates)
      .map((g) => text(g.name))
      .filter(Boolean);
    const message = `scheduling gated${gates.length ? ` by ${gates.join(", ")}` : ""}`;
    out.push(
      podCandidate(ctx, "gated", "scheduling-gated", timeOf(scheduled.lastTransitionTime), ctx.graces.stuck, message, gates.join(", ")),
    );
  }
  const lost = nodeLost(ctx);
  if (lost) out.push(lost);
  const mount = latestEvent(ctx.events, ["FailedMount", "FailedAttachVolume"]);
  const creating = statusesOf(ctx.pod).some((s) => ["ContainerCreating", "PodInitializing"].includes(text(s.state?.waiting?.reason) ?? ""));
  if (mount && creating) {
    const detail = text(mount.message) ?? "";
    // A volume of a Secret or ConfigMap that does not exist will not appear by waiting; a busy disk (Multi-Attach) may.
    const certain = /(secret|configmap) "[^"]+" not found/i.test(detail);
    out.push(
      podCandidate(
        ctx,
        "mount",
        "mount",
        firstTime(ctx.events, ["FailedMount", "FailedAttachVolume"]),
        certain ? 0 : ctx.graces.stuck,
        `volume cannot be mounted: ${detail}`,
        detail,
      ),
    );
  }
  const sandbox = latestEvent(ctx.events, ["FailedCreatePodSandBox"]);
  if (sandbox && creating) {
    const detail = text(sandbox.message) ?? "";
    out.push(
      podCandidate(
        ctx,
        "sandbox",
        "sandbox",
        firstTime(ctx.events, ["FailedCreatePodSandBox"]),
        ctx.graces.stuck,
        `pod sandbox cannot be created: ${detail}`,
        detail,
      ),
    );
  }
  if (
    creating &&
    !mount &&
    !sandbox &&
    scheduled?.status === "True" &&
    !containerItems(ctx, "initContainers").some((i) => i.status.state?.running)
  ) {
    out.push(
      podCandidate(
        ctx,
        "creating",
        "creating",
        timeOf(scheduled.lastTransitionTime),
        ctx.graces.stuck,
        "containers still being created",
        "",
      ),
    );
  }
  return out;
}

function unschedulable(ctx: Context, c: PodCondition): Candidate {
  const detail = text(c.message) ?? "";
  const autoscaler = latestEvent(ctx.events, ["TriggeredScaleUp", "NotTriggerScaleUp"]);
  const said = text(autoscaler?.message) ?? "";
  if (autoscaler?.reason === "NotTriggerScaleUp") {
    return podCandidate(
      ctx,
      "unschedulable",
      "unschedulable",
      timeOf(c.lastTransitionTime),
      0,
      `cannot be scheduled: ${detail}; the cluster autoscaler will not add a node: ${said}`,
      `${detail}; cluster autoscaler: ${said}`,
    );
  }
  if (autoscaler?.reason === "TriggeredScaleUp") {
    const candidate = podCandidate(
      ctx,
      "scale-up",
      "unschedulable",
      eventTime(autoscaler),
      ctx.graces.nodeProvisioning,
      `cannot be scheduled and no node arrived although the cluster autoscaler started one (${said})`,
      `${detail}; a scale-up (${said}) did not deliver a node`,
    );
    return { ...candidate, waitingMessage: `the cluster autoscaler to add a node (${said})` };
  }
  return podCandidate(
    ctx,
    "unschedulable",
    "unschedulable",
    timeOf(c.lastTransitionTime),
    ctx.graces.unschedulable,
    `cannot be scheduled${detail ? `: ${detail}` : ""}`,
    detail,
  );
}

/** The node stopped reporting: phase Unknown, or the node lifecycle controller set Ready to Unknown / reason NodeLost. */
function nodeLost(ctx: Context): Candidate | undefined {
  const ready = conditions(ctx.pod).find((c) => c.type === "Ready");
  const phase = text(ctx.pod?.status?.phase);
  const reason = text(ctx.pod?.status?.reason);
  if (phase !== "Unknown" && reason !== "NodeLost" && ready?.status !== "Unknown") return undefined;
  const node = text(ctx.pod?.spec?.nodeName) ?? "its node";
  return podCandidate(
    ctx,
    "node-lost",
    "node-lost",
    timeOf(ready?.lastTransitionTime),
    ctx.graces.stuck,
    `${node} stopped reporting (pod ${phase === "Unknown" ? "phase Unknown" : "Ready=Unknown"})`,
    node,
  );
}

function podCandidate(
  ctx: Context,
  key: string,
  category: PodFailureCategory,
  stamp: number | undefined,
  grace: number,
  message: string,
  detail: string,
): Candidate {
  return {
    key,
    category,
    stamp,
    grace,
    waitingMessage: message,
    failure: { category, message, fix: podFixFor(category, ctx.pod, ctx.specPath, detail) },
  };
}

function containerStalls(ctx: Context): Candidate[] {
  const out: Candidate[] = [];
  const ready = conditions(ctx.pod).find((c) => c.type === "Ready");
  for (const item of [...containerItems(ctx, "initContainers"), ...containerItems(ctx, "containers")]) {
    const running = isRecord(item.status.state?.running) ? item.status.state.running : undefined;
    if (!running) continue;
    const name = text(item.status.name) ?? "(unnamed)";
    const started = timeOf(running.startedAt);
    if (item.init && !item.restartsOnExit) {
      const message = `init container ${name} is still running; the app containers wait for it`;
      out.push(containerCandidate(`${name}:init`, "stuck", item, started, ctx.graces.initRunning, message, "to finish"));
      continue;
    }
    const probe = item.spec?.readinessProbe;
    if (!isRecord(probe) || item.status.ready === true) continue;
    const window =
      ctx.graces.readiness ??
      probeWindowSeconds(probe) + (isRecord(item.spec?.startupProbe) ? probeWindowSeconds(item.spec!.startupProbe) : 0);
    // Not ready since the later of its start and the pod's last Ready transition.
    const notReadySince = Math.max(started ?? 0, ready?.status === "False" ? (timeOf(ready.lastTransitionTime) ?? 0) : 0) || undefined;
    const failed = ctx.events.filter(
      (e) => aboutContainer(e, name) && e.reason === "Unhealthy" && /^Readiness probe failed/i.test(text(e.message) ?? ""),
    );
    const last = failed.map((e) => `${(text(e.message) ?? "").trim()}${(num(e.count) ?? 1) > 1 ? ` (x${e.count})` : ""}`).pop();
    const message = `is Running but has not become Ready within its readiness probe's failure window (${window}s; ${describeProbe(probe)})${last ? `; last failure: ${last}` : ""}`;
    out.push(
      containerCandidate(
        `${name}:readiness`,
        "readiness-probe",
        item,
        notReadySince,
        window,
        message,
        `its readiness probe to pass (${describeProbe(probe)})`,
      ),
    );
  }
  return out;
}

function containerCandidate(
  key: string,
  category: "stuck" | "readiness-probe",
  item: ContainerItem,
  stamp: number | undefined,
  grace: number,
  message: string,
  waitingMessage: string,
): Candidate {
  const name = text(item.status.name) ?? "(unnamed)";
  const failure: ContainerFailure = {
    container: name,
    init: item.init,
    category,
    reason: category === "stuck" ? "Init:Running" : "NotReady",
    restartCount: num(item.status.restartCount) ?? 0,
    message,
    fix: fixFor(category, item.spec, item.path),
  };
  return { key, category, container: name, stamp, grace, waitingMessage: `${name}: ${waitingMessage}`, failure };
}

// ---------------------------------------------------------------------------------------------
// Events.

/** kubelet sets fieldPath `spec.containers{name}` / `spec.initContainers{name}`; events without one concern the whole pod. */
function aboutContainer(e: Event, container: string): boolean {
  const fieldPath = text(e.involvedObject?.fieldPath);
  return !fieldPath || fieldPath.endsWith(`{${container}}`);
}

/**
 * The events about each pod, indexed by pod name once: judging every pod of a dump or a rollout
 * then costs pods + events, not pods × events. Pass a pod's share to {@link diagnosePod}.
 */
export function podEventIndex(events: Iterable<Event>): (pod: Pod) => Event[] {
  const byName = new Map<string, Event[]>();
  for (const e of events) {
    if (!isRecord(e) || !isRecord(e.involvedObject) || e.involvedObject.kind !== "Pod") continue;
    const name = text(e.involvedObject.name) ?? "";
    const list = byName.get(name);
    if (list) list.push(e);
    else byName.set(name, [e]);
  }
  return (pod) => byName.get(text(pod?.metadata?.name) ?? "") ?? [];
}

/**
 * Whether the diagnosis or the verdict can read this event at all: a Warning, or a reason they
 * look for. The rest (Scheduled, Pulled, Created, Started: five per pod) need not be kept.
 */
export function eventMatters(e: Event): boolean {
  return e?.type === "Warning" || READ_REASONS.has(text(e?.reason) ?? "");
}

export function eventsFor(pod: Pod, events: Event[]): Event[] {
  const name = text(pod?.metadata?.name);
  const uid = text(pod?.metadata?.uid);
  return records<Event>(events).filter(
    (e) =>
      isRecord(e.involvedObject) &&
      e.involvedObject.kind === "Pod" &&
      e.involvedObject.name === name &&
      (!uid || !e.involvedObject.uid || e.involvedObject.uid === uid),
  );
}

function latestEvent(events: Event[], reasons: string[]): Event | undefined {
  return events
    .filter((e) => reasons.includes(text(e.reason) ?? ""))
    .sort((a, b) => (eventTime(a) ?? 0) - (eventTime(b) ?? 0))
    .pop();
}

function firstTime(events: Event[], reasons: string[]): number | undefined {
  const times = events
    .filter((e) => reasons.includes(text(e.reason) ?? ""))
    .map((e) => timeOf(e.firstTimestamp) ?? eventTime(e))
    .filter((t): t is number => t !== undefined);
  return times.length ? Math.min(...times) : undefined;
}

export function eventTime(e: Event): number | undefined {
  return (
    timeOf(e.lastTimestamp) ??
    timeOf(e.series?.lastObservedTime) ??
    timeOf(e.eventTime) ??
    timeOf(e.firstTimestamp) ??
    timeOf(e.metadata?.creationTimestamp)
  );
}

function summarise(events: Event[]): EventSummary[] {
  return events
    .filter((e) => e.type === "Warning" || NOTABLE_REASONS.has(text(e.reason) ?? ""))
    .sort((a, b) => (eventTime(a) ?? 0) - (eventTime(b) ?? 0))
    .slice(-MAX_EVENTS)
    .map((e) => {
      const fieldPath = text(e.involvedObject?.fieldPath);
      return {
        type: text(e.type) ?? "Normal",
        reason: text(e.reason) ?? "",
        message: (text(e.message) ?? "").trim(),
        count: num(e.count) ?? num(e.series?.count) ?? 1,
        ...(fieldPath ? { fieldPath } : {}),
      };
    });
}

function reproduceCommands(namespace: string, pod: string, failures: ContainerFailure[]): string[] {
  const logs = failures
    .filter((f) => f.logsFrom)
    .map((f) => `kubectl logs ${pod} -n ${namespace} -c ${f.container}${f.logsFrom === "previous" ? " --previous" : ""} --tail=50`);
  return [
    `kubectl describe pod ${pod} -n ${namespace}`,
    ...logs,
    `kubectl get events -n ${namespace} --field-selector involvedObject.name=${pod}`,
  ];
}

function conditions(pod: Pod): PodCondition[] {
  return records<PodCondition>(pod?.status?.conditions);
}

function statusesOf(pod: Pod): ContainerStatus[] {
  return records<ContainerStatus>(pod?.status?.containerStatuses);
}

function allStatuses(pod: Pod): ContainerStatus[] {
  return [...records<ContainerStatus>(pod?.status?.initContainerStatuses), ...statusesOf(pod)];
}
