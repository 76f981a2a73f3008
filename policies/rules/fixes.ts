/**
 * The concrete fixes findings suggest, as YAML a user can paste into the container. The values are
 * the runbook's: requests sized for a small service, a memory limit with headroom above the
 * request (so a spike is not an instant OOMKill), and probe timings that tolerate a slow response.
 */
import { stringify } from "yaml";
import { ContainerRef, Finding } from "./types";
import { field, isObject, isPresent, isUnknown } from "./read";
import { fillContainerResources, type ResourceValuesToFill } from "./fill";
import { compareQuantities, parseQuantity } from "./quantity";

export const SUGGESTED_RESOURCES = {
  cpuRequest: "250m",
  memoryRequest: "256Mi",
  memoryLimit: "512Mi",
  cpuLimit: "500m",
} as const;

/** Probe timings: a 3 s timeout survives a GC pause; 3 failures × 10 s before acting. */
export const SUGGESTED_PROBE_TIMINGS = {
  readinessProbe: { periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
  livenessProbe: { periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
  /** Up to 30 × 5 s = 150 s to start before liveness takes over. */
  startupProbe: { periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 30 },
} as const;

export type ProbeKind = keyof typeof SUGGESTED_PROBE_TIMINGS;

export function yamlSnippet(value: unknown): string {
  // Values unknown during preview would show as Pulumi's sentinel strings; show them for what they are.
  return stringify(value, (_key, v) => (isUnknown(v) ? "(known after apply)" : v), { lineWidth: 0 }).trimEnd();
}

/**
 * A finding whose `fix` is the YAML of `fixData`, rendered when first read. Most findings are
 * counted or filtered, not printed, and rendering YAML costs more than checking a whole workload.
 */
export function finding(base: Omit<Finding, "fix">, fixData?: unknown): Finding {
  if (fixData === undefined) return base;
  return Object.defineProperty(base as Finding, "fix", {
    enumerable: true,
    configurable: true,
    get(this: Finding) {
      const fix = yamlSnippet(fixData);
      Object.defineProperty(this, "fix", { value: fix, enumerable: true, writable: true, configurable: true });
      return fix;
    },
  });
}

/**
 * The container's `resources:` block as remediation would leave it — what is set kept, what is
 * missing filled in, no request above its limit — except that values which would still fail are
 * replaced: a plain mistake by its correction ("512MB" → "512Mi"), zero or invalid by the default.
 */
export function resourcesFix(container: ContainerRef, wanted: ResourceValuesToFill): unknown {
  const resources = field(container.spec, "resources");
  const fixed: Record<string, unknown> = { resources: { requests: passingValues(field(resources, "requests")), limits: passingValues(field(resources, "limits")) } };
  fillContainerResources(fixed, wanted);
  raiseLimitsToRequests(fixed.resources);
  return { resources: fixed.resources ?? {} };
}

/** As resource-values-valid's own fix: a limit below its request becomes the request. */
function raiseLimitsToRequests(resources: unknown): void {
  const requests = field(resources, "requests");
  const limits = field(resources, "limits");
  if (!isObject(requests) || !isObject(limits)) return;
  for (const [name, limit] of Object.entries(limits)) {
    const l = parseQuantity(limit);
    const r = parseQuantity(requests[name]);
    if (l.ok && r.ok && compareQuantities(l.quantity, r.quantity) < 0) (limits as Record<string, unknown>)[name] = requests[name];
  }
}

function passingValues(group: unknown): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  if (!isObject(group)) return kept;
  for (const [name, value] of Object.entries(group)) {
    if (!isPresent(value)) continue;
    if (isUnknown(value)) {
      kept[name] = value;
      continue;
    }
    const q = parseQuantity(value);
    if (q.ok && q.quantity.nanos > 0n) kept[name] = value;
    else if (!q.ok && q.correction) kept[name] = q.correction;
  }
  return kept;
}

/**
 * A probe on the container's first declared port (by name when it has one). With no port declared
 * there is nothing to probe, so the fix declares the conventional one; a liveness check that would
 * repeat the readiness check probes the socket instead (probe-sanity rejects the twin).
 */
export function probeFix(container: ContainerRef, kind: ProbeKind): unknown {
  const declared = firstPort(container.spec);
  const port = declared ?? "http";
  const path = kind === "readinessProbe" ? "/ready" : "/healthz";
  const readinessGet = field(field(container.spec, "readinessProbe"), "httpGet");
  const twin = kind === "livenessProbe" && field(readinessGet, "path") === path && field(readinessGet, "port") === port;
  return {
    ...(declared === undefined ? { ports: [{ name: "http", containerPort: 8080 }] } : {}),
    [kind]: { ...(twin ? { tcpSocket: { port } } : { httpGet: { path, port } }), ...SUGGESTED_PROBE_TIMINGS[kind] },
  };
}

export function firstPort(container: unknown): string | number | undefined {
  const ports = field(container, "ports");
  if (!Array.isArray(ports)) return undefined;
  for (const p of ports) {
    const name = field(p, "name");
    if (typeof name === "string" && name) return name;
    const num = field(p, "containerPort");
    if (typeof num === "number") return num;
  }
  return undefined;
}
