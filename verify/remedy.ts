/**
 * The fix for each failure category, in the spec's own terms: a field path of the workload and
 * the current value read from the pod spec. Never quotes env values or anything from envFrom —
 * only names of the objects they refer to.
 */
import type { Container, Pod, Probe } from "kubernetes-types/core/v1";
import { isRecord, records, text } from "./read";
import type { FailureCategory, Fix, PodFailureCategory } from "./types";
import { PROBE_DEFAULTS } from "../policies/rules/defaults";

const TIMINGS = ["initialDelaySeconds", "periodSeconds", "timeoutSeconds", "failureThreshold"] as const;
type Timings = Record<(typeof TIMINGS)[number], number>;

export function probeTimings(probe: Probe): string {
  const t = timingsOf(probe);
  return `initialDelaySeconds ${t.initialDelaySeconds}, periodSeconds ${t.periodSeconds}, timeoutSeconds ${t.timeoutSeconds}, failureThreshold ${t.failureThreshold}`;
}

/** The probe's timings, each defaulted as the API server does. */
function timingsOf(probe: Probe): Timings {
  const out = {} as Timings;
  for (const key of TIMINGS) out[key] = typeof probe[key] === "number" ? probe[key] : PROBE_DEFAULTS[key];
  return out;
}

/** Seconds from container start until a probe that never passes has failed for good: initialDelaySeconds + periodSeconds × failureThreshold. */
export function probeWindowSeconds(probe: Probe): number {
  const t = timingsOf(probe);
  return t.initialDelaySeconds + t.periodSeconds * t.failureThreshold;
}

/** The probe's handler and timings, never its headers or exec command (they may carry secrets). */
export function describeProbe(probe: Probe): string {
  const http = isRecord(probe.httpGet) ? probe.httpGet : undefined;
  const handler = http
    ? `httpGet ${text(http.path) ?? "/"} port ${text(http.port) ?? "?"}`
    : isRecord(probe.tcpSocket)
      ? `tcpSocket port ${text(probe.tcpSocket.port) ?? "?"}`
      : isRecord(probe.grpc)
        ? `grpc port ${text(probe.grpc.port) ?? "?"}`
        : isRecord(probe.exec)
          ? "exec"
          : "probe";
  return `${handler}, ${probeTimings(probe)}`;
}

/** Seconds a probe tolerates failing before kubelet acts: periodSeconds × failureThreshold. */
export function probeToleranceSeconds(probe: Probe | undefined): number {
  if (!probe) return 0;
  const t = timingsOf(probe);
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
      const limit = text(spec?.resources?.limits?.memory);
      return {
        path: `${path}.resources.limits.memory`,
        text: limit
          ? `The container needs more than its memory limit of ${limit}: raise ${path}.resources.limits.memory (and requests.memory) above the observed need, or reduce the app's memory use (heap size flags such as -Xmx / --max-old-space-size).`
          : `No memory limit is set, so the node ran out of memory: set ${path}.resources.requests.memory and limits.memory to what the app really needs.`,
      };
    }
    case "liveness-probe": {
      const probe = isRecord(spec?.livenessProbe) ? spec.livenessProbe : undefined;
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
      return {
        path: `${path}.command`,
        text: `The entrypoint ${entrypoint(spec)} is not executable (exit 126): fix ${path}.command or the file's mode in the image.`,
      };
    case "not-found":
      return {
        path: `${path}.command`,
        text: `The entrypoint ${entrypoint(spec)} was not found in the image (exit 127): fix ${path}.command / .args or the image.`,
      };
    case "start-error":
      return {
        path: `${path}.command`,
        text: `The runtime could not start the process${detail ? ` (${detail})` : ""}: fix ${path}.command, .workingDir or the image${text(spec?.image) ? ` ${text(spec?.image)}` : ""}.`,
      };
    case "segfault":
      return {
        path: `${path}.image`,
        text: `The process crashed with a segmentation fault: check the image ${text(spec?.image) ?? "(unknown)"} for a native-library or architecture mismatch, then read the previous logs.`,
      };
    case "startup-probe": {
      const probe = spec?.startupProbe;
      const current = isRecord(probe) ? ` (now ${probeTimings(probe)})` : "";
      return {
        path: `${path}.startupProbe`,
        text: `The startup probe gave up before the app finished starting${current}: raise ${path}.startupProbe.failureThreshold × periodSeconds above the real start time, or make the app start faster.`,
      };
    }
    case "readiness-probe": {
      const probe = spec?.readinessProbe;
      const current = isRecord(probe) ? ` (now ${describeProbe(probe)})` : "";
      return {
        path: `${path}.readinessProbe`,
        text: `The readiness probe never passed${current}: check that the app answers on that path and port once started (its logs say why not), and that the probe matches ${path}.ports; give a slow start a startupProbe at ${path}.startupProbe.`,
      };
    }
    case "security-context":
      return {
        path: `${path}.securityContext.runAsUser`,
        text: `runAsNonRoot is set but the image runs as root or as a non-numeric user: set ${path}.securityContext.runAsUser to a non-zero UID the image supports (or build the image with a numeric USER).`,
      };
    case "restarted":
      return {
        path,
        text: `The container restarted and the runtime kept no record of why: read \`kubectl logs --previous\` and the pod's events; a restart fails crashguard's criterion (Ready without restarts).`,
      };
    case "stuck":
      return {
        path: `${path}.command`,
        text: `The init container has not finished: check what it waits for (a database, a migration lock) in its logs, and fix ${path}.command or the dependency it waits on.`,
      };
    case "killed":
      return {
        path: `${path}.lifecycle`,
        text: `The process was killed by a signal it did not expect: check preStop hooks, ${path}.lifecycle, and whether something else (OOM in a child process, a sidecar) sends signals.`,
      };
    case "exited":
      return {
        path: `${path}.command`,
        text: `The container exited with code 0 but its pod restarts containers: long-running apps must not exit — check ${path}.command / .args; run batch work as a Job instead.`,
      };
    case "image-pull":
      return {
        path: `${path}.image`,
        text: `The image ${text(spec?.image) ?? "(unknown)"} cannot be pulled: check the name and tag exist, and for a private registry set spec imagePullSecrets (or the node's registry access).`,
      };
    case "config-error":
      return configErrorFix(spec, path, detail);
    case "create-error":
      return {
        path,
        text: `The runtime could not create the container${detail ? ` (${detail})` : ""}: check ${path} volumeMounts, securityContext and lifecycle hooks.`,
      };
    case "unschedulable":
      return {
        path: `${podSpecOf(path)}.containers[*].resources.requests`,
        text: `No node can run the pod${detail ? ` (${detail})` : ""}: lower ${podSpecOf(path)}.containers[*].resources.requests, relax nodeSelector/affinity/tolerations, or add capacity to the node pool.`,
      };
  }
}

function entrypoint(spec: Container | undefined): string {
  const cmd = Array.isArray(spec?.command) ? text(spec.command[0]) : undefined;
  return cmd ? `"${cmd}"` : "(the image's ENTRYPOINT)";
}

function podSpecOf(containerPath: string): string {
  return containerPath.replace(/\.(initContainers|containers)\[\d+\]$/, "");
}

/**
 * The kubelet's messages for missing configuration, parsed exactly
 * (https://github.com/kubernetes/kubernetes/blob/master/pkg/kubelet/kubelet_pods.go):
 * `secret "db-creds" not found`, `configmap "app" not found`,
 * `couldn't find key password in Secret shop/db-creds`. Points at the env entry that refers to
 * the object, by name and path only.
 */
export function parseConfigError(detail: string): { kind: "Secret" | "ConfigMap"; name: string; key?: string } | undefined {
  const key = /couldn't find key (\S+) in (Secret|ConfigMap) (?:[^/\s]+\/)?([^\s]+)/.exec(detail);
  if (key) return { kind: key[2] as "Secret" | "ConfigMap", name: key[3], key: key[1] };
  const missing = /\b(secret|configmap) "([^"]+)" not found/i.exec(detail);
  if (missing) return { kind: missing[1].toLowerCase() === "secret" ? "Secret" : "ConfigMap", name: missing[2] };
  return undefined;
}

function configErrorFix(spec: Container | undefined, path: string, detail: string): Fix {
  const ref = parseConfigError(detail);
  if (!ref)
    return {
      path: `${path}.env`,
      text: `A Secret or ConfigMap the container refers to is missing${detail ? ` (${detail})` : ""}: create it, or fix ${path}.env / .envFrom.`,
    };
  const refPath = referencePath(spec, path, ref.kind, ref.name, ref.key);
  const where = refPath ?? `${path}.env / .envFrom`;
  return {
    path: refPath ?? `${path}.env`,
    text: ref.key
      ? `The ${ref.kind} "${ref.name}" has no key "${ref.key}": add the key to it, or fix the key at ${where}.`
      : `The ${ref.kind} "${ref.name}" does not exist in the pod's namespace: create it before the rollout, or fix the reference at ${where}.`,
  };
}

function referencePath(
  spec: Container | undefined,
  path: string,
  kind: "Secret" | "ConfigMap",
  name: string,
  key?: string,
): string | undefined {
  const refKey = kind === "Secret" ? "secretKeyRef" : "configMapKeyRef";
  const env = records<NonNullable<Container["env"]>[number]>(spec?.env);
  const matches = (e: (typeof env)[number]) =>
    e.valueFrom?.[refKey]?.name === name && (key === undefined || e.valueFrom?.[refKey]?.key === key);
  const envIndex = env.findIndex(matches);
  if (envIndex >= 0) return `${path}.env[${envIndex}].valueFrom.${refKey}`;
  const fromKey = kind === "Secret" ? "secretRef" : "configMapRef";
  const fromIndex = records<NonNullable<Container["envFrom"]>[number]>(spec?.envFrom).findIndex((e) => e[fromKey]?.name === name);
  return fromIndex >= 0 ? `${path}.envFrom[${fromIndex}].${fromKey}` : undefined;
}

/** Fixes for a whole pod, in the pod spec's terms or, where the spec is not at fault, the cluster's. */
export function podFixFor(category: PodFailureCategory, pod: Pod, specPath: string, detail: string): Fix {
  switch (category) {
    case "unschedulable":
      return fixFor("unschedulable", undefined, `${specPath}.containers[0]`, detail);
    case "scheduling-gated":
      return {
        path: `${specPath}.schedulingGates`,
        text: `The pod waits for scheduling gates${detail ? ` (${detail})` : ""} that nothing removed: make sure the controller that owns each gate is running, or drop the gate from ${specPath}.schedulingGates.`,
      };
    case "mount": {
      const ref = /\b(secret|configmap) "([^"]+)" not found/i.exec(detail);
      const volumes = records<{ name?: unknown; secret?: { secretName?: unknown }; configMap?: { name?: unknown } }>(pod?.spec?.volumes);
      const index = ref
        ? volumes.findIndex((v) => (ref[1].toLowerCase() === "secret" ? text(v.secret?.secretName) : text(v.configMap?.name)) === ref[2])
        : -1;
      if (ref) {
        const kind = ref[1].toLowerCase() === "secret" ? "Secret" : "ConfigMap";
        const at =
          index >= 0
            ? `${specPath}.volumes[${index}].${kind === "Secret" ? "secret.secretName" : "configMap.name"}`
            : `${specPath}.volumes`;
        return {
          path: at,
          text: `The ${kind} "${ref[2]}" a volume refers to does not exist: create it before the rollout, fix the name at ${at}, or mark the volume optional.`,
        };
      }
      if (/Multi-Attach/i.test(detail))
        return {
          path: `${specPath}.volumes`,
          text: `A ReadWriteOnce disk is still attached to another pod's node: use a rolling strategy that stops the old pod first (Recreate, or maxSurge 0), or a ReadWriteMany volume.`,
        };
      return {
        path: `${specPath}.volumes`,
        text: `A volume cannot be mounted${detail ? ` (${detail})` : ""}: check the PersistentVolumeClaim is Bound and the volume source at ${specPath}.volumes exists.`,
      };
    }
    case "sandbox":
      return {
        path: specPath,
        text: `The node cannot set up the pod's network or runtime sandbox${detail ? ` (${detail})` : ""}: not a spec problem — check the CNI plugin and IP addresses left in the node subnet (on AKS: Azure CNI subnet size), then the node itself.`,
      };
    case "creating":
      return {
        path: specPath,
        text: `Containers have been in ContainerCreating for long with no event saying why: read the pod's events (\`kubectl get events --field-selector involvedObject.name=…\`) — usually a volume, an image or the node.`,
      };
    case "node-lost":
      return {
        path: `${specPath}.tolerations`,
        text: `The pod's node (${detail}) stopped reporting: the pod is replaced only after its toleration for node.kubernetes.io/unreachable expires (300 s by default); check the node pool, and lower tolerationSeconds at ${specPath}.tolerations to move faster.`,
      };
    case "evicted":
      return {
        path: `${specPath}.containers[*].resources.requests`,
        text: `The node ran short of a resource and evicted the pod${detail ? ` (${detail})` : ""}: set requests (memory, ephemeral-storage) at ${specPath}.containers[*].resources.requests to what the app really uses, so it is placed where that fits.`,
      };
    case "rejected":
      return {
        path: `${specPath}.containers[*].resources.requests`,
        text: `The kubelet refused the pod at admission${detail ? ` (${detail})` : ""}: the node could not fit it after scheduling (OutOfcpu / OutOfmemory usually mean static pods or a race with another pod); lower ${specPath}.containers[*].resources.requests or add node capacity.`,
      };
  }
}

/**
 * The fix when the controller cannot create pods at all (ReplicaSet ReplicaFailure / FailedCreate):
 * a ResourceQuota, Pod Security admission, or another admission webhook refused them.
 */
export function createFailureFix(message: string): Fix {
  if (/exceeded quota|must specify (limits|requests)/i.test(message)) {
    return {
      path: "spec.template.spec.containers[*].resources",
      text: `A ResourceQuota in the namespace refuses the pods: lower spec.template.spec.containers[*].resources (requests and limits) to fit what is left, or raise the quota (kubectl describe resourcequota).`,
    };
  }
  if (/violates PodSecurity/i.test(message)) {
    return {
      path: "spec.template.spec.securityContext",
      text: `Pod Security admission refuses the pods: set what the message lists at spec.template.spec.securityContext and each container's securityContext (runAsNonRoot, allowPrivilegeEscalation: false, capabilities.drop [ALL], seccompProfile RuntimeDefault).`,
    };
  }
  return {
    path: "spec.template",
    text: `An admission check refuses the pods: change spec.template as the message asks, or the policy that rejects it.`,
  };
}
