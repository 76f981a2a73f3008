/**
 * The verifier keeps pods and events for minutes while it watches a rollout, thousands of them at
 * once; a real pod is ~5 KB of JSON (env, annotations, managedFields, volume sources) of which the
 * verdict and the diagnosis read a small part. Each object is cut to that part as it arrives, so
 * the rest is garbage at once instead of staying in the mirror.
 *
 * Only records are cut: any other value (a string where the API defines an object, an array item
 * that is not an object) is kept as it came, so the defensive readers (read.ts) judge a slim pod
 * exactly as they judge the full one. test/verify/projection.test.ts holds the diagnosis of every
 * slim pod of the rollout-state table and the diagnosis fixtures equal to the full pod's.
 */
import type { Event, Pod } from "kubernetes-types/core/v1";
import { isRecord } from "./read";

/** `true` keeps a value whole; a record picks keys; a one-item array applies its shape to each item. */
type Shape = true | { readonly [key: string]: Shape } | readonly [Shape] | ((value: unknown) => unknown);

const PROBE: Shape = {
  initialDelaySeconds: true,
  periodSeconds: true,
  timeoutSeconds: true,
  failureThreshold: true,
  // The handler's kind and port, never its headers or exec command (remedy.ts describeProbe).
  httpGet: { path: true, port: true },
  tcpSocket: { port: true },
  grpc: { port: true },
  exec: {},
};

/** A reference to a Secret or ConfigMap, by name and key: what a config-error fix points at (remedy.ts referencePath). */
const REFERENCE: Shape = { name: true, key: true };

const CONTAINER: Shape = {
  name: true,
  image: true,
  // Only the entrypoint is quoted (remedy.ts entrypoint); later arguments may carry secrets.
  command: (value) => (Array.isArray(value) ? value.slice(0, 1) : value),
  restartPolicy: true,
  resources: { limits: { memory: true } },
  livenessProbe: PROBE,
  readinessProbe: PROBE,
  startupProbe: PROBE,
  // Every entry stays, so that an index still names the same entry; values are dropped.
  env: [{ valueFrom: { secretKeyRef: REFERENCE, configMapKeyRef: REFERENCE } }],
  envFrom: [{ secretRef: { name: true }, configMapRef: { name: true } }],
};

const CONTAINER_STATUS: Shape = { name: true, ready: true, restartCount: true, state: true, lastState: true };

const POD: Shape = {
  metadata: {
    name: true,
    namespace: true,
    uid: true,
    labels: true,
    deletionTimestamp: true,
    // Whether a controller made the pod decides where a fix points (diagnosis.ts podSpecPath).
    ownerReferences: [{ kind: true }],
  },
  spec: {
    restartPolicy: true,
    nodeName: true,
    schedulingGates: [{ name: true }],
    volumes: [{ name: true, secret: { secretName: true }, configMap: { name: true } }],
    containers: [CONTAINER],
    initContainers: [CONTAINER],
  },
  status: {
    phase: true,
    reason: true,
    message: true,
    conditions: [{ type: true, status: true, reason: true, message: true, lastTransitionTime: true }],
    containerStatuses: [CONTAINER_STATUS],
    initContainerStatuses: [CONTAINER_STATUS],
  },
};

const EVENT: Shape = {
  metadata: { name: true, creationTimestamp: true },
  involvedObject: { kind: true, name: true, uid: true, fieldPath: true },
  type: true,
  reason: true,
  message: true,
  count: true,
  firstTimestamp: true,
  lastTimestamp: true,
  eventTime: true,
  series: { count: true, lastObservedTime: true },
};

/** The fields of a pod the verdict and the diagnosis read. */
export function slimPod(pod: Pod): Pod {
  return project(pod, POD) as Pod;
}

/** The fields of an event the diagnosis reads. */
export function slimEvent(event: Event): Event {
  return project(event, EVENT) as Event;
}

/** Records that keep nothing share one frozen object: 5,000 pods × 34 plain env entries are not 170,000 objects. */
const EMPTY = Object.freeze({});

function project(value: unknown, shape: Shape): unknown {
  if (shape === true) return value;
  if (typeof shape === "function") return shape(value);
  // Array.from, not map: map would call a "constructor" key the data may carry.
  if (Array.isArray(shape)) return Array.isArray(value) ? Array.from(value, (item) => project(item, shape[0])) : value;
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  let kept = false;
  // Own keys only: an API object's "constructor" or "__proto__" is data, never the prototype's.
  for (const [key, inner] of Object.entries(shape))
    if (Object.hasOwn(value, key)) {
      out[key] = project(value[key], inner);
      kept = true;
    }
  return kept ? out : EMPTY;
}
