/**
 * The concrete fixes findings suggest, as YAML a user can paste into the container, with the values
 * of `defaults.ts`. A fix changes only what its finding is about; where the right value cannot be
 * inferred it says what to decide instead.
 */
import type { ContainerRef } from "./types";
import { note } from "./finding";
import { field, isObject, isPresent, isUnknown } from "./read";
import {
  HANDLERS,
  type Handler,
  SECRET,
  effectiveTimings,
  handlerOf,
  hidesSecrets,
  isSecretValue,
  sameCheck,
  shownHandler,
} from "./handlers";
import { fillContainerResources, type ResourceValuesToFill } from "./fill";
import { compareQuantities, parseQuantity } from "./quantity";
import { SUGGESTED_PROBE_TIMINGS } from "./defaults";

export type ProbeKind = keyof typeof SUGGESTED_PROBE_TIMINGS;

/**
 * The container's `resources:` block as remediation would leave it — what is set kept, what is
 * missing filled in, no request above its limit — except that values which would still fail are
 * replaced: a plain mistake by its correction ("512MB" → "512Mi"), zero or invalid by the default.
 */
export function resourcesFix(container: ContainerRef, wanted: ResourceValuesToFill): unknown {
  const resources = field(container.spec, "resources");
  const fixed: Record<string, unknown> = {
    resources: { requests: passingValues(field(resources, "requests")), limits: passingValues(field(resources, "limits")) },
  };
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
    if (isUnknown(value) || isSecretValue(value)) {
      kept[name] = value;
      continue;
    }
    const q = parseQuantity(value);
    if (q.ok && q.quantity.nanos > 0n) kept[name] = value;
    else if (!q.ok && q.correction) kept[name] = q.correction;
  }
  return kept;
}

/** Probes a missing one may copy its handler from, nearest in purpose first. */
const HANDLER_SOURCES: Record<ProbeKind, ProbeKind[]> = {
  readinessProbe: ["livenessProbe", "startupProbe"],
  livenessProbe: ["readinessProbe", "startupProbe"],
  startupProbe: ["livenessProbe", "readinessProbe"],
};

/**
 * The handler a new or handler-less probe should use: the container's own, copied from another of
 * its probes; else a socket check on its first declared port (that it listens there is all that is
 * known — no path is guessed); else nothing, and the fix says what to decide instead.
 */
function inferHandler(
  container: ContainerRef,
  kind: ProbeKind,
): { raw?: Record<string, unknown>; shown?: Record<string, unknown>; from?: ProbeKind } {
  for (const from of HANDLER_SOURCES[kind]) {
    const probe = field(container.spec, from);
    const handler = handlerOf(probe);
    if (handler && !isUnknown(field(probe, handler)) && !namesUndeclaredPort(container.spec, field(probe, handler))) {
      return { raw: { [handler]: field(probe, handler) }, shown: shownHandler(probe), from };
    }
  }
  const port = firstPort(container.spec);
  if (port === undefined) return {};
  const socket = { tcpSocket: { port } };
  return { raw: socket, shown: socket };
}

/** A handler on a port name the container does not declare can never succeed; it is not worth copying. */
function namesUndeclaredPort(container: unknown, handler: unknown): boolean {
  const port = field(handler, "port");
  if (typeof port !== "string" || /^[0-9]+$/.test(port) || isUnknown(port)) return false;
  const ports = field(container, "ports");
  if (isUnknown(ports)) return false;
  return !Array.isArray(ports) || !ports.some((p) => field(p, "name") === port || isUnknown(field(p, "name")));
}

const DECIDE_HANDLER = (kind: ProbeKind) =>
  `nothing to copy: the container has no other working probe and declares no port. Decide how to tell it is ${kind === "readinessProbe" ? "ready to serve" : kind === "startupProbe" ? "started" : "alive"}: exec a command that exits 0, or httpGet / tcpSocket / grpc on the port it listens on (declared in ports), and add it here`;

/** The probe a `…-probe-required` finding suggests, with the container's own handler where it has one. */
export function probeFix(container: ContainerRef, kind: ProbeKind): unknown {
  const { raw, shown, from } = inferHandler(container, kind);
  if (!raw || !shown) return note(DECIDE_HANDLER(kind), { [kind]: { ...SUGGESTED_PROBE_TIMINGS[kind] } });
  return withSecretsNote({ [kind]: { ...shown, ...distinctTimings(container, kind, raw) } }, from);
}

/** A probe that has no handler, given the one the container's other probes or ports suggest; its timings kept. */
export function handlerFix(container: ContainerRef, kind: ProbeKind): unknown {
  const { raw, shown, from } = inferHandler(container, kind);
  const rest = withoutHandler(field(container.spec, kind));
  if (!raw || !shown) return note(DECIDE_HANDLER(kind), { [kind]: rest });
  return withSecretsNote({ [kind]: { ...shown, ...rest } }, from);
}

/** The container's probe with `changes` applied and nothing else touched (its handler shown, not copied, where it holds secrets). */
export function probeWith(container: ContainerRef, kind: ProbeKind, changes: Record<string, unknown>): unknown {
  const probe = field(container.spec, kind);
  return withSecretsNote({ [kind]: { ...shownHandler(probe), ...withoutHandler(probe), ...changes } }, kind);
}

/**
 * Suggested timings, unless with `handler` they would make liveness and readiness the same check
 * (restarted the moment it is taken out of rotation): then liveness waits twice as long, or
 * readiness checks more often.
 */
function distinctTimings(container: ContainerRef, kind: ProbeKind, handler: Record<string, unknown>): Record<string, number> {
  const timings: Record<string, number> = { ...SUGGESTED_PROBE_TIMINGS[kind] };
  const other =
    kind === "livenessProbe"
      ? field(container.spec, "readinessProbe")
      : kind === "readinessProbe"
        ? field(container.spec, "livenessProbe")
        : undefined;
  const otherTimings = effectiveTimings(other);
  if (!otherTimings || !sameCheck({ ...handler, ...timings }, other)) return timings;
  if (kind === "livenessProbe") return { ...timings, failureThreshold: otherTimings.failureThreshold * 2 };
  const periodSeconds = otherTimings.periodSeconds === 5 ? 4 : 5;
  return { ...timings, periodSeconds, timeoutSeconds: Math.min(timings.timeoutSeconds, periodSeconds - 1) };
}

function withoutHandler(probe: unknown): Record<string, unknown> {
  if (!isObject(probe)) return {};
  return Object.fromEntries(Object.entries(probe).filter(([k]) => !(HANDLERS as readonly string[]).includes(k)));
}

function withSecretsNote(fix: Record<string, unknown>, from: ProbeKind | undefined): unknown {
  if (!hidesSecrets(fix)) return fix;
  return note(
    `${SECRET} stands for the exec command or header values of the container's own ${from ?? "probe"}, which are never copied here; keep yours`,
    fix,
  );
}

/**
 * A port entry for `containerPort` under a name the container does not use yet (the API server
 * rejects duplicate names), named for the protocol the probe speaks.
 */
export function portEntry(container: unknown, containerPort: number, handler: Handler): { name: string; containerPort: number } {
  const taken = new Set<unknown>();
  const ports = field(container, "ports");
  if (Array.isArray(ports)) for (const p of ports) taken.add(field(p, "name"));
  const base = handler === "grpc" ? "grpc" : handler === "tcpSocket" ? "tcp" : "http";
  let name = [base, `${base}-${containerPort}`].find((n) => !taken.has(n));
  // Numbered as a last resort; at most 14 characters, within the 15 a port name may have.
  for (let i = 2; name === undefined; i++) if (!taken.has(`${base}-${containerPort}-${i}`)) name = `${base}-${containerPort}-${i}`;
  return { name, containerPort };
}

export function firstPort(container: unknown): string | number | undefined {
  const ports = field(container, "ports");
  if (!Array.isArray(ports)) return undefined;
  for (const p of ports) {
    const name = field(p, "name");
    if (typeof name === "string" && name && !isUnknown(name)) return name;
    const num = field(p, "containerPort");
    if (typeof num === "number") return num;
  }
  return undefined;
}
