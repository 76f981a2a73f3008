/**
 * The fix for each failure category, in the spec's own terms: a field path of the workload and
 * the current value read from the pod spec. Never quotes env values or anything from envFrom —
 * only names of the objects they refer to.
 */
import type { Container, Probe } from "kubernetes-types/core/v1";
import type { FailureCategory, Fix } from "./types";

/** Probe defaults applied by the API server (FACTS: Kubernetes). */
const PROBE_DEFAULTS = { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3 };

export function probeTimings(probe: Probe): string {
  const t = { ...PROBE_DEFAULTS, ...pickDefined(probe) };
  return `initialDelaySeconds ${t.initialDelaySeconds}, periodSeconds ${t.periodSeconds}, timeoutSeconds ${t.timeoutSeconds}, failureThreshold ${t.failureThreshold}`;
}

function pickDefined(probe: Probe): Partial<typeof PROBE_DEFAULTS> {
  const out: Partial<typeof PROBE_DEFAULTS> = {};
  for (const key of Object.keys(PROBE_DEFAULTS) as (keyof typeof PROBE_DEFAULTS)[]) {
    if (typeof probe[key] === "number") out[key] = probe[key];
  }
  return out;
}

/** Seconds a probe tolerates failing before kubelet acts: periodSeconds × failureThreshold. */
export function probeToleranceSeconds(probe: Probe | undefined): number {
  if (!probe) return 0;
  const t = { ...PROBE_DEFAULTS, ...pickDefined(probe) };
  return t.periodSeconds * t.failureThreshold;
}

/**
 * @param spec the container as declared in the pod spec (may be missing for a malformed dump)
 * @param path field path of that container, e.g. `spec.template.spec.containers[0]`
 * @param detail the runtime's message (CreateContainerConfigError text, FailedScheduling text…)
 */
export function fixFor(category: FailureCategory, spec: Container | undefined, path: string, detail = ""): Fix {
  switch (category) {
    case "oom-killed": {
      const limit = spec?.resources?.limits?.memory;
      return {
        path: `${path}.resources.limits.memory`,
        text: limit
          ? `The container needs more than its memory limit of ${limit}: raise ${path}.resources.limits.memory (and requests.memory) above the observed need, or reduce the app's memory use (heap size flags such as -Xmx / --max-old-space-size).`
          : `No memory limit is set, so the node ran out of memory: set ${path}.resources.requests.memory and limits.memory to what the app really needs.`,
      };
    }
    case "liveness-probe": {
      const probe = spec?.livenessProbe;
      const current = probe ? ` (now ${probeTimings(probe)})` : "";
      return {
        path: `${path}.livenessProbe`,
        text: `The liveness probe killed the container before it answered${current}: raise initialDelaySeconds, timeoutSeconds or failureThreshold, or add a startupProbe at ${path}.startupProbe so a slow start is not treated as a hang.`,
      };
    }
    case "app-error":
    case "crash-loop":
      return {
        path: `${path}.command`,
        text: `The application exited with an error: read its previous logs (below) and fix the app or what it is given — ${path}.command, .args, and the Secrets/ConfigMaps its env refers to.`,
      };
    case "not-executable":
      return { path: `${path}.command`, text: `The entrypoint ${entrypoint(spec)} is not executable (exit 126): fix ${path}.command or the file's mode in the image.` };
    case "not-found":
      return { path: `${path}.command`, text: `The entrypoint ${entrypoint(spec)} was not found in the image (exit 127): fix ${path}.command / .args or the image.` };
    case "start-error":
      return { path: `${path}.command`, text: `The runtime could not start the process${detail ? ` (${detail})` : ""}: fix ${path}.command, .workingDir or the image${spec?.image ? ` ${spec.image}` : ""}.` };
    case "segfault":
      return { path: `${path}.image`, text: `The process crashed with a segmentation fault: check the image ${spec?.image ?? "(unknown)"} for a native-library or architecture mismatch, then read the previous logs.` };
    case "killed":
      return { path: `${path}.lifecycle`, text: `The process was killed by a signal it did not expect: check preStop hooks, ${path}.lifecycle, and whether something else (OOM in a child process, a sidecar) sends signals.` };
    case "exited":
      return { path: `${path}.command`, text: `The container exited with code 0 but its pod restarts containers: long-running apps must not exit — check ${path}.command / .args; run batch work as a Job instead.` };
    case "image-pull":
      return { path: `${path}.image`, text: `The image ${spec?.image ?? "(unknown)"} cannot be pulled: check the name and tag exist, and for a private registry set spec imagePullSecrets (or the node's registry access).` };
    case "config-error":
      return configErrorFix(spec, path, detail);
    case "create-error":
      return { path, text: `The runtime could not create the container${detail ? ` (${detail})` : ""}: check ${path} volumeMounts, securityContext and lifecycle hooks.` };
    case "unschedulable":
      return {
        path: `${podSpecOf(path)}.containers[*].resources.requests`,
        text: `No node can run the pod${detail ? ` (${detail})` : ""}: lower ${podSpecOf(path)}.containers[*].resources.requests, relax nodeSelector/affinity/tolerations, or add capacity to the node pool.`,
      };
  }
}

function entrypoint(spec: Container | undefined): string {
  const cmd = spec?.command?.[0];
  return cmd ? `"${cmd}"` : "(the image's ENTRYPOINT)";
}

function podSpecOf(containerPath: string): string {
  return containerPath.replace(/\.(initContainers|containers)\[\d+\]$/, "");
}

/**
 * Kubelet's message names the object (`secret "db-creds" not found`, `couldn't find key password
 * in Secret shop/db`); point at the env entry that refers to it, by name and path only.
 */
function configErrorFix(spec: Container | undefined, path: string, detail: string): Fix {
  const named = /(secret|configmap)s? "?([a-z0-9.-]+)"?/i.exec(detail) ?? /in (Secret|ConfigMap) [^/\s]+\/([a-z0-9.-]+)/i.exec(detail);
  const kind = named?.[1]?.toLowerCase() === "secret" ? "Secret" : "ConfigMap";
  const name = named?.[2];
  const refPath = name ? referencePath(spec, path, kind, name) : undefined;
  return {
    path: refPath ?? `${path}.env`,
    text: name
      ? `The ${kind} "${name}" (or the key used) does not exist in the pod's namespace: create it before the rollout, or fix the reference at ${refPath ?? `${path}.env / .envFrom`}.`
      : `A Secret or ConfigMap the container refers to is missing${detail ? ` (${detail})` : ""}: create it, or fix ${path}.env / .envFrom.`,
  };
}

function referencePath(spec: Container | undefined, path: string, kind: "Secret" | "ConfigMap", name: string): string | undefined {
  const refKey = kind === "Secret" ? "secretKeyRef" : "configMapKeyRef";
  const envIndex = spec?.env?.findIndex((e) => e.valueFrom?.[refKey]?.name === name) ?? -1;
  if (envIndex >= 0) return `${path}.env[${envIndex}].valueFrom.${refKey}`;
  const fromKey = kind === "Secret" ? "secretRef" : "configMapRef";
  const fromIndex = spec?.envFrom?.findIndex((e) => e[fromKey]?.name === name) ?? -1;
  return fromIndex >= 0 ? `${path}.envFrom[${fromIndex}].${fromKey}` : undefined;
}
