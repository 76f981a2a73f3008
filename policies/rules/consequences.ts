/**
 * What a problem does to the object it is found in. The same missing probe means a stalled
 * rollout in a Deployment, a Pod that gets traffic too early when it is a bare Pod, and little
 * for a log-shipping sidecar; a message is only useful if it is true for the object at hand.
 */
import type { ContainerRef, PodTemplate } from "./types";
import type { ProbeKind } from "./fixes";

/** Controllers that roll a new pod template out, replacing old pods as new ones become ready. */
const ROLLOUT_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet"]);

function rollsOut(t: PodTemplate): boolean {
  return ROLLOUT_KINDS.has(t.kind);
}

/** Consequence of a long-running container having no readinessProbe. */
export function withoutReadiness(t: PodTemplate, c: ContainerRef): string {
  if (c.kind === "sidecar") {
    return `the pod counts this sidecar as ready the moment it starts, so the pod takes Service traffic${rollsOut(t) ? ` and the ${t.kind} rollout moves on` : ""} before the sidecar can do its work (harmless for a log shipper, not for a proxy)`;
  }
  if (rollsOut(t))
    return `Services send it traffic and the ${t.kind} rollout replaces old pods the moment its process starts, ready or not`;
  if (t.kind === "Pod") return "Services that select this Pod send it traffic the moment its process starts, ready or not";
  return "Services send it traffic the moment its process starts, ready or not";
}

/** Consequence of a long-running container having no livenessProbe. */
export function withoutLiveness(t: PodTemplate, c: ContainerRef): string {
  if (c.kind === "sidecar")
    return "a sidecar that hangs without exiting is never restarted, and the pod's main containers carry on without it";
  if (t.kind === "Pod") return "a process that hangs without exiting is never restarted, and a bare Pod has no controller to replace it";
  return "a process that hangs without exiting is never restarted";
}

/** What happens while this probe keeps failing. */
export function whileFailing(t: PodTemplate, c: ContainerRef, kind: ProbeKind): string {
  if (kind === "readinessProbe") {
    if (!t.longRunning) return "the pod never becomes ready, so no Service sends it traffic (the Job itself does not wait for readiness)";
    if (rollsOut(t)) return `the pod never becomes ready and the ${t.kind} rollout never completes`;
    return "the pod never becomes ready and gets no Service traffic";
  }
  const killed =
    kind === "startupProbe"
      ? "the kubelet kills the container before it has started"
      : "the kubelet kills the container after failureThreshold failed checks";
  if (c.kind === "sidecar") return `${killed}, and restarts the sidecar again and again (CrashLoopBackOff)`;
  if (!t.longRunning)
    return `${killed}; the ${t.kind === "Pod" ? "Pod fails or restarts as its restartPolicy says" : `${t.kind}'s pod fails or restarts until backoffLimit fails the Job`}`;
  if (rollsOut(t)) return `${killed}, again and again (CrashLoopBackOff), and the ${t.kind} rollout stalls`;
  return `${killed}, again and again (CrashLoopBackOff)`;
}
