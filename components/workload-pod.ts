/**
 * The pod template Workload builds: the app container from its arguments, the containers the user
 * adds (sidecars, init containers, extra containers) given the defaults they leave out, volumes,
 * scheduling, graceful shutdown, and the `podSpec` / `container` escape hatch merged last.
 */
import type * as k8s from "@pulumi/kubernetes/types/input";
import { firstPort } from "../policies/rules";
import { clonePlain, isPlain } from "../policies/rules/fill";
import { DEFAULTS, type ProbeTimings, resourceRequirements, startupTimings } from "./defaults";
import { definedOnly } from "../policies/rules/read";
import { fillResources } from "./transforms";
import type { WorkloadArgs } from "./workload";

/** The pod label AKS's workload identity webhook selects on to inject the token volume and env. */
export const WORKLOAD_IDENTITY_USE_LABEL = "azure.workload.identity/use";

export function podSpec(
  name: string,
  args: WorkloadArgs,
  selector: Record<string, string>,
  serviceAccountName: k8s.core.v1.PodSpec["serviceAccountName"],
): k8s.core.v1.PodSpec {
  const { preStopSleepSeconds, terminationGracePeriodSeconds } = shutdownTimings(args);
  const spec: k8s.core.v1.PodSpec = {
    serviceAccountName,
    securityContext: { ...DEFAULTS.podSecurityContext, ...args.podSecurityContext },
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: DEFAULTS.zoneTopologyKey,
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: selector },
      },
    ],
    terminationGracePeriodSeconds,
    imagePullSecrets: args.imagePullSecrets?.map((secret) => ({ name: secret })),
    nodeSelector: args.nodeSelector,
    tolerations: args.tolerations,
    affinity: args.affinity,
    priorityClassName: args.priorityClassName,
    initContainers: optionalList([...(args.sidecars ?? []).map(sidecar), ...(args.initContainers ?? []).map(addedContainer)]),
    containers: [
      mergeOverride(appContainer(name, args, preStopSleepSeconds), args.container),
      ...(args.extraContainers ?? []).map(extraContainer),
    ],
    volumes: [
      ...(mountsTmp(args) ? [] : [{ name: DEFAULTS.tmpVolume.name, emptyDir: {} }]),
      ...(args.volumes ?? []).map(({ mountPath: _m, readOnly: _r, subPath: _s, ...volume }) => volume),
    ],
  };
  return mergeOverride(spec, args.podSpec);
}

/**
 * The preStop sleep and the grace period above it. Kubernetes removes a terminating pod from the
 * Service endpoints while it sends SIGTERM, and kube-proxies and ingress controllers catch up a
 * few seconds later; a pod that exits at once drops the requests still routed to it. The sleep
 * keeps it serving through that window; the grace period counts the sleep, so it must exceed it.
 */
export function shutdownTimings(args: WorkloadArgs): { preStopSleepSeconds: number; terminationGracePeriodSeconds: number } {
  const preStopSleepSeconds = args.preStopSleepSeconds ?? DEFAULTS.shutdown.preStopSleepSeconds;
  return {
    preStopSleepSeconds,
    terminationGracePeriodSeconds: args.terminationGracePeriodSeconds ?? preStopSleepSeconds + DEFAULTS.shutdown.drainSeconds,
  };
}

function appContainer(name: string, args: WorkloadArgs, preStopSleepSeconds: number): k8s.core.v1.Container {
  const portName = args.portName ?? DEFAULTS.portName;
  const httpProbe = (path: string, timings: ProbeTimings, override: ProbeTimings | undefined): k8s.core.v1.Probe => ({
    httpGet: { path, port: portName },
    ...timings,
    ...definedOnly(override ?? {}),
  });
  const livenessPath = args.livenessPath ?? DEFAULTS.livenessPath;
  const timings = args.probeTimings ?? {};
  return {
    name,
    image: args.image,
    command: args.command,
    args: args.args,
    ports: [
      { name: portName, containerPort: args.port ?? DEFAULTS.port },
      ...(args.extraPorts ?? []).map((p) => ({ name: p.name, containerPort: p.containerPort, protocol: p.protocol })),
    ],
    env: envVars(args),
    envFrom: args.envFrom,
    resources: resourceRequirements(args.resources),
    readinessProbe:
      args.readinessProbe ??
      httpProbe(args.readinessPath ?? DEFAULTS.readinessPath, DEFAULTS.probeTimings.readinessProbe, timings.readinessProbe),
    livenessProbe: args.livenessProbe ?? httpProbe(livenessPath, DEFAULTS.probeTimings.livenessProbe, timings.livenessProbe),
    startupProbe:
      args.startupProbe ??
      (args.startupSeconds === undefined ? undefined : httpProbe(livenessPath, startupTimings(args.startupSeconds), timings.startupProbe)),
    // The kubelet's own sleep action, not `exec: sleep`: distroless and scratch images have no shell.
    lifecycle: preStopSleepSeconds > 0 ? { preStop: { sleep: { seconds: preStopSleepSeconds } } } : undefined,
    securityContext: { ...DEFAULTS.containerSecurityContext, ...args.securityContext },
    volumeMounts: [
      ...(mountsTmp(args) ? [] : [{ name: DEFAULTS.tmpVolume.name, mountPath: DEFAULTS.tmpVolume.mountPath }]),
      ...(args.volumes ?? []).map((v) => ({ name: v.name, mountPath: v.mountPath, readOnly: v.readOnly, subPath: v.subPath })),
      ...(args.volumeClaims ?? []).map((c) => ({ name: c.name, mountPath: c.mountPath })),
    ],
  };
}

/** A user's own volume at /tmp replaces the default scratch one. */
function mountsTmp(args: WorkloadArgs): boolean {
  return (args.volumes ?? []).some((v) => v.mountPath === DEFAULTS.tmpVolume.mountPath || v.name === DEFAULTS.tmpVolume.name);
}

function envVars(args: WorkloadArgs): k8s.core.v1.EnvVar[] | undefined {
  return optionalList<k8s.core.v1.EnvVar>([
    ...Object.entries(args.env ?? {}).map(([name, value]) => ({ name, value })),
    ...Object.entries(args.secretEnv ?? {}).map(([name, ref]) => ({
      name,
      valueFrom: { secretKeyRef: { name: ref.secretName, key: ref.key } },
    })),
    ...Object.entries(args.configEnv ?? {}).map(([name, ref]) => ({
      name,
      valueFrom: { configMapKeyRef: { name: ref.configMapName, key: ref.key } },
    })),
  ]);
}

/** Any container the user adds: the default security context and resources where it sets none. */
function addedContainer(container: k8s.core.v1.Container): k8s.core.v1.Container {
  const copy = clonePlain({ securityContext: DEFAULTS.containerSecurityContext, ...container });
  fillResources(copy as Record<string, unknown>);
  return copy;
}

/**
 * A native sidecar: an init container with `restartPolicy: Always` (Kubernetes ≥ 1.29), started
 * before the app and stopped after it, so the app never runs without it. Long-running, so it
 * gets a TCP readiness probe on its first declared port where it sets none, as `withDefaults()` does.
 */
function sidecar(container: k8s.core.v1.Container): k8s.core.v1.Container {
  return longRunning(addedContainer({ ...container, restartPolicy: "Always" }));
}

function extraContainer(container: k8s.core.v1.Container): k8s.core.v1.Container {
  return longRunning(addedContainer(container));
}

function longRunning(container: k8s.core.v1.Container): k8s.core.v1.Container {
  if (container.readinessProbe !== undefined) return container;
  const port = firstPort(container);
  return port === undefined
    ? container
    : { ...container, readinessProbe: { tcpSocket: { port }, ...DEFAULTS.probeTimings.readinessProbe } };
}

/**
 * The escape hatch: `override` merged over `base` last — objects key by key, anything else
 * (lists included) replaced — so a user can reach any field Workload has no argument for.
 */
export function mergeOverride<T extends object>(base: T, override: Partial<T> | undefined): T {
  if (override === undefined) return base;
  return mergeValues(base, override) as T;
}

function mergeValues(base: unknown, override: unknown): unknown {
  if (!isPlain(base) || !isPlain(override)) return override === undefined ? base : override;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) merged[key] = mergeValues(base[key], value);
  return merged;
}

function optionalList<T>(items: T[]): T[] | undefined {
  return items.length > 0 ? items : undefined;
}
