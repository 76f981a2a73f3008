/**
 * Pod health and diagnosis as pure functions over plain Pod and Event objects (kstatus style):
 * the same code judges pods watched live and pods read from a `kubectl get pods -o json` dump.
 */
import type { Container, ContainerStateTerminated, ContainerStatus, Event, Pod } from "kubernetes-types/core/v1";
import { fixFor } from "./remedy";
import type { ContainerFailure, EventSummary, FailureCategory, PodDiagnosis } from "./types";

/** Waiting reasons that never resolve on their own (FACTS: Kubernetes). ContainerCreating and PodInitializing are transient. */
const FAILING_WAITING_REASONS: Record<string, FailureCategory> = {
  CrashLoopBackOff: "crash-loop",
  ImagePullBackOff: "image-pull",
  ErrImagePull: "image-pull",
  ErrImageNeverPull: "image-pull",
  InvalidImageName: "image-pull",
  ImageInspectError: "image-pull",
  RegistryUnavailable: "image-pull",
  CreateContainerConfigError: "config-error",
  CreateContainerError: "create-error",
  RunContainerError: "create-error",
  PreStartHookError: "create-error",
  PostStartHookError: "create-error",
};

const SIGNAL_NAMES: Record<number, string> = { 1: "SIGHUP", 2: "SIGINT", 6: "SIGABRT", 9: "SIGKILL", 11: "SIGSEGV", 15: "SIGTERM" };

/** Events worth showing even when they are not Warnings. */
const NOTABLE_REASONS = new Set(["Killing", "BackOff", "Unhealthy", "FailedScheduling", "FailedMount", "Failed", "FailedCreatePodSandBox"]);

const MAX_EVENTS = 10;

export function restarts(pod: Pod): number {
  return allStatuses(pod).reduce((sum, s) => sum + (s.restartCount ?? 0), 0);
}

export function isReady(pod: Pod): boolean {
  return pod.status?.phase === "Running" && (pod.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

/** Running, Ready and never restarted: the only state the verifier counts as success. */
export function isHealthy(pod: Pod): boolean {
  return isReady(pod) && restarts(pod) === 0;
}

/** `spec.template.spec` for pods a controller made from a template, `spec` for bare pods. */
export function podSpecPath(pod: Pod): string {
  const owned = (pod.metadata?.ownerReferences ?? []).some((o) => ["ReplicaSet", "StatefulSet", "DaemonSet", "Job"].includes(o.kind));
  return owned ? "spec.template.spec" : "spec";
}

/**
 * Everything known about one pod from its status and events. `failures` is empty unless a
 * container is certain to fail; `podFailure` reports Unschedulable at once — callers that want a
 * grace period (the rollout watcher) apply it themselves.
 */
export function diagnosePod(pod: Pod, events: Event[], specPath = podSpecPath(pod)): PodDiagnosis {
  const namespace = pod.metadata?.namespace ?? "default";
  const name = pod.metadata?.name ?? "(unnamed)";
  const podEvents = eventsFor(pod, events);
  const failures = [
    ...containerFailures(pod, "initContainers", podEvents, specPath),
    ...containerFailures(pod, "containers", podEvents, specPath),
  ];
  const diagnosis: PodDiagnosis = {
    namespace,
    pod: name,
    phase: pod.status?.phase ?? "Unknown",
    ready: isReady(pod),
    restarts: restarts(pod),
    failures,
    events: summarise(podEvents),
    logs: {},
    commands: reproduceCommands(namespace, name, failures),
  };
  const unschedulable = (pod.status?.conditions ?? []).find((c) => c.type === "PodScheduled" && c.status === "False" && c.reason === "Unschedulable");
  if (unschedulable) {
    const detail = unschedulable.message ?? "";
    diagnosis.podFailure = {
      category: "unschedulable",
      message: `cannot be scheduled${detail ? `: ${detail}` : ""}`,
      since: unschedulable.lastTransitionTime,
      fix: fixFor("unschedulable", undefined, `${specPath}.containers[0]`, detail),
    };
  }
  return diagnosis;
}

export function isFailing(d: PodDiagnosis): boolean {
  return d.failures.length > 0 || d.podFailure !== undefined;
}

function containerFailures(pod: Pod, list: "containers" | "initContainers", events: Event[], specPath: string): ContainerFailure[] {
  const init = list === "initContainers";
  const specs = pod.spec?.[list] ?? [];
  const statuses = (init ? pod.status?.initContainerStatuses : pod.status?.containerStatuses) ?? [];
  // Init containers with restartPolicy Always are sidecars: they restart like app containers.
  const restartsOnExit = (c: Container | undefined) => (init ? c?.restartPolicy === "Always" : pod.spec?.restartPolicy !== "Never" && pod.spec?.restartPolicy !== "OnFailure");
  const failures: ContainerFailure[] = [];
  for (const status of statuses) {
    const index = specs.findIndex((c) => c.name === status.name);
    const spec = index >= 0 ? specs[index] : undefined;
    const path = `${specPath}.${list}[${index >= 0 ? index : "?"}]`;
    const failure = containerFailure(status, spec, path, init, restartsOnExit(spec), livenessKilled(events, status.name));
    if (failure) failures.push(failure);
  }
  return failures;
}

function containerFailure(status: ContainerStatus, spec: Container | undefined, path: string, init: boolean, restartsOnExit: boolean, killedByLiveness: boolean): ContainerFailure | undefined {
  const prefix = init ? "Init:" : "";
  const restartCount = status.restartCount ?? 0;
  const waiting = status.state?.waiting;
  const waitingCategory = waiting?.reason ? FAILING_WAITING_REASONS[waiting.reason] : undefined;
  const current = status.state?.terminated;
  const previous = status.lastState?.terminated;

  if (waitingCategory && !(waitingCategory === "crash-loop" && previous)) {
    const detail = waiting?.message ?? "";
    return {
      container: status.name,
      init,
      category: waitingCategory,
      reason: prefix + waiting!.reason,
      restartCount,
      message: `${waiting!.reason}${detail ? `: ${detail}` : ""}`,
      fix: fixFor(waitingCategory, spec, path, detail),
    };
  }
  const exitFails = (t: ContainerStateTerminated) => t.exitCode !== 0 || restartsOnExit;
  const terminated = current && exitFails(current) ? current : restartCount > 0 && previous ? previous : undefined;
  if (!terminated) return undefined;
  const category = terminationCategory(terminated, killedByLiveness);
  const signal = signalOf(terminated);
  const shown = waiting?.reason ?? terminatedReason(terminated);
  return {
    container: status.name,
    init,
    category,
    reason: prefix + shown,
    restartCount,
    exitCode: terminated.exitCode,
    ...(signal ? { signal } : {}),
    message: terminationMessage(terminated, category, spec, signal),
    fix: fixFor(category, spec, path, terminated.message ?? ""),
    logsFrom: terminated === current ? "current" : "previous",
  };
}

function terminationCategory(t: ContainerStateTerminated, killedByLiveness: boolean): FailureCategory {
  if (t.reason === "OOMKilled") return "oom-killed";
  // A liveness kill shows 137, 143 or even 0: only kubelet's events tell it apart (FACTS).
  if (killedByLiveness) return "liveness-probe";
  if (t.reason === "StartError" || t.reason === "ContainerCannotRun" || t.exitCode === 128) return "start-error";
  switch (t.exitCode) {
    case 0:
      return "exited";
    case 126:
      return "not-executable";
    case 127:
      return "not-found";
    case 139:
      return "segfault";
  }
  return t.exitCode > 128 ? "killed" : "app-error";
}

function signalOf(t: ContainerStateTerminated): string | undefined {
  const n = t.signal || (t.exitCode > 128 && t.exitCode < 160 ? t.exitCode - 128 : 0);
  return n ? SIGNAL_NAMES[n] ?? `signal ${n}` : undefined;
}

/** kubectl's wording: the reason, else ExitCode:N / Signal:N. */
function terminatedReason(t: ContainerStateTerminated): string {
  if (t.reason) return t.reason;
  return t.signal ? `Signal:${t.signal}` : `ExitCode:${t.exitCode}`;
}

function terminationMessage(t: ContainerStateTerminated, category: FailureCategory, spec: Container | undefined, signal: string | undefined): string {
  const code = `exit ${t.exitCode}${signal ? `, ${signal}` : ""}`;
  const what: Record<FailureCategory, string> = {
    "oom-killed": `was OOM-killed at its memory limit${spec?.resources?.limits?.memory ? ` of ${spec.resources.limits.memory}` : ""} (${code})`,
    "liveness-probe": `was killed by kubelet after failing its liveness probe (${code})`,
    "app-error": `exited with an application error (${code})`,
    "not-executable": `could not execute its entrypoint (${code})`,
    "not-found": `could not find its entrypoint (${code})`,
    segfault: `crashed with a segmentation fault (${code})`,
    killed: `was killed by a signal (${code})`,
    "start-error": `could not be started by the runtime (${code})`,
    exited: `exited although its pod restarts containers (${code})`,
    "crash-loop": `is crash-looping (${code})`,
    "image-pull": `cannot pull its image`,
    "config-error": `is missing configuration`,
    "create-error": `could not be created`,
    unschedulable: `cannot be scheduled`,
  };
  return `${what[category]}${t.message ? `: ${t.message.trim()}` : ""}`;
}

function livenessKilled(events: Event[], container: string): boolean {
  return events.some(
    (e) =>
      aboutContainer(e, container) &&
      ((e.reason === "Killing" && /liveness probe/i.test(e.message ?? "")) || (e.reason === "Unhealthy" && /^Liveness probe failed/i.test(e.message ?? ""))),
  );
}

/** kubelet sets fieldPath `spec.containers{name}` / `spec.initContainers{name}`; events without one concern the whole pod. */
function aboutContainer(e: Event, container: string): boolean {
  const fieldPath = e.involvedObject?.fieldPath;
  return !fieldPath || fieldPath.endsWith(`{${container}}`);
}

export function eventsFor(pod: Pod, events: Event[]): Event[] {
  const { name, uid } = pod.metadata ?? {};
  return events.filter((e) => e?.involvedObject?.kind === "Pod" && e.involvedObject.name === name && (!uid || !e.involvedObject.uid || e.involvedObject.uid === uid));
}

function summarise(events: Event[]): EventSummary[] {
  return events
    .filter((e) => e.type === "Warning" || NOTABLE_REASONS.has(e.reason ?? ""))
    .sort((a, b) => eventTime(a).localeCompare(eventTime(b)))
    .slice(-MAX_EVENTS)
    .map((e) => ({
      type: e.type ?? "Normal",
      reason: e.reason ?? "",
      message: (e.message ?? "").trim(),
      count: e.count ?? e.series?.count ?? 1,
      ...(e.involvedObject?.fieldPath ? { fieldPath: e.involvedObject.fieldPath } : {}),
    }));
}

function eventTime(e: Event): string {
  return e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp ?? "";
}

function reproduceCommands(namespace: string, pod: string, failures: ContainerFailure[]): string[] {
  const logs = failures
    .filter((f) => f.logsFrom)
    .map((f) => `kubectl logs ${pod} -n ${namespace} -c ${f.container}${f.logsFrom === "previous" ? " --previous" : ""} --tail=50`);
  return [`kubectl describe pod ${pod} -n ${namespace}`, ...logs, `kubectl get events -n ${namespace} --field-selector involvedObject.name=${pod}`];
}

function allStatuses(pod: Pod): ContainerStatus[] {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
}

