/**
 * Probe rules. Readiness keeps traffic off a pod that cannot serve; liveness restarts one that
 * hangs; and a badly timed liveness probe is itself a top cause of CrashLoopBackOff — a 1 s
 * timeout against a slow handler, or a kill before a slow app has started.
 */
import { ContainerRef, Finding, PodTemplate, ProbeRequiredConfig, ProbeSanityConfig, Rule } from "./types";
import { describeValue, field, isObject, isPresent, isUnknown, join } from "./read";
import { ProbeKind, SUGGESTED_PROBE_TIMINGS, finding, probeFix } from "./fixes";
import { describeContainer } from "./resources";
import { commonSchema } from "./schema";

const PROBE_KINDS: ProbeKind[] = ["readinessProbe", "livenessProbe", "startupProbe"];
const HANDLERS = ["exec", "httpGet", "tcpSocket", "grpc"] as const;

/** kubelet's own defaults, used when a probe leaves a timing out. */
export const PROBE_DEFAULTS = { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 };

const requiredSchema = {
  ...commonSchema,
  includeSidecars: { type: "boolean", default: true, description: "Also require the probe on restartable sidecars (initContainers with restartPolicy: Always)." },
};

function probeRequired<Id extends "readiness-probe-required" | "liveness-probe-required">(
  id: Id, probe: ProbeKind, title: string, description: string, defaultLevel: "mandatory" | "advisory", why: string,
): Rule<Id> {
  return {
    id,
    title,
    description,
    defaultLevel,
    severity: defaultLevel === "mandatory" ? "high" : "medium",
    defaults: { includeSidecars: true } as Rule<Id>["defaults"],
    configSchema: { properties: requiredSchema },
    check(template: PodTemplate, config: ProbeRequiredConfig): Finding[] {
      if (!template.longRunning || template.partial) return [];
      const includeSidecars = config.includeSidecars ?? true;
      return template.containers
        .filter((c) => c.kind === "container" || (c.kind === "sidecar" && includeSidecars))
        .filter((c) => !isPresent(field(c.spec, probe)))
        .map((c) => finding({
          rule: id,
          severity: defaultLevel === "mandatory" ? "high" : "medium",
          resource: template.resource,
          container: c.name,
          path: join(c.path, probe),
          message: `${describeContainer(c)} has no ${probe}; ${why}`,
        }, probeFix(c, probe)));
    },
  };
}

export const readinessProbeRequired = probeRequired(
  "readiness-probe-required", "readinessProbe",
  "Readiness probe on every long-running container",
  "Deployments, StatefulSets, DaemonSets, ReplicaSets, Pods and restartable sidecars declare a readinessProbe, so traffic and rollouts wait until the app can serve. Jobs and CronJobs are exempt.",
  "mandatory",
  "Kubernetes sends it traffic and counts the rollout as progressing the moment the process starts, ready or not",
);

export const livenessProbeRequired = probeRequired(
  "liveness-probe-required", "livenessProbe",
  "Liveness probe on every long-running container",
  "Long-running containers declare a livenessProbe, so a hung process is restarted instead of silently serving errors. Jobs and CronJobs are exempt.",
  "advisory",
  "a hung process is never restarted",
);

const SANITY_DEFAULTS: Required<Omit<ProbeSanityConfig, "excludeNamespaces">> = {
  minStartupSeconds: 30,
  requireDeclaredPort: true,
  forbidIdenticalLivenessReadiness: true,
};

export const probeSanity: Rule<"probe-sanity"> = {
  id: "probe-sanity",
  title: "Probes that can work",
  description: "Probe timeouts below their period, a handler that can run (declared port, non-empty command), liveness distinct from readiness, no liveness kill before the app can start, and no probes on plain init containers.",
  defaultLevel: "advisory",
  severity: "medium",
  defaults: SANITY_DEFAULTS,
  configSchema: {
    properties: {
      ...commonSchema,
      minStartupSeconds: { type: "integer", minimum: 0, default: 30, description: "Seconds an app may need to start; a liveness probe without a startupProbe must allow at least this long (initialDelaySeconds + failureThreshold × periodSeconds)." },
      requireDeclaredPort: { type: "boolean", default: true, description: "Numbered probe ports must appear in the container's ports." },
      forbidIdenticalLivenessReadiness: { type: "boolean", default: true, description: "A liveness probe must not use the same handler as the readiness probe." },
    },
  },
  check(template, config) {
    const cfg = { ...SANITY_DEFAULTS, ...config };
    const findings: Finding[] = [];
    for (const c of template.containers) findings.push(...checkContainerProbes(template, c, cfg));
    return findings;
  },
};

function checkContainerProbes(template: PodTemplate, c: ContainerRef, cfg: Required<Omit<ProbeSanityConfig, "excludeNamespaces">>): Finding[] {
  const findings: Finding[] = [];
  const report = (path: string, message: string, fix?: unknown) =>
    findings.push(finding({ rule: "probe-sanity", severity: "medium", resource: template.resource, container: c.name, path, message }, fix));
  const who = describeContainer(c);

  for (const kind of PROBE_KINDS) {
    const probe = field(c.spec, kind);
    const path = join(c.path, kind);
    if (!isObject(probe)) continue;
    if (c.kind === "init") {
      report(path, `${who} has a ${kind}, but plain init containers run to completion and the API server rejects probes on them; remove it, or make the container a sidecar with restartPolicy: Always`);
      continue;
    }
    checkHandler(probe, path, c, cfg, report);
    const timing = readTimings(probe, path, report);
    if (timing.timeoutSeconds !== undefined && timing.periodSeconds !== undefined && timing.timeoutSeconds >= timing.periodSeconds) {
      report(join(path, "timeoutSeconds"),
        `${who}: ${kind} timeoutSeconds (${timing.timeoutSeconds}) is not below periodSeconds (${timing.periodSeconds}), so a slow check overlaps the next one`,
        ({ [kind]: { periodSeconds: Math.max(timing.periodSeconds, timing.timeoutSeconds + 1), timeoutSeconds: timing.timeoutSeconds } }));
    }
    if (kind !== "readinessProbe" && timing.successThreshold !== undefined && timing.successThreshold !== 1) {
      report(join(path, "successThreshold"), `${who}: ${kind} successThreshold must be 1 (it is ${timing.successThreshold}); the API server rejects anything else`, ({ [kind]: { successThreshold: 1 } }));
    }
  }
  if (c.kind === "init") return findings;

  const liveness = field(c.spec, "livenessProbe");
  const readiness = field(c.spec, "readinessProbe");
  if (isObject(liveness) && isObject(readiness) && cfg.forbidIdenticalLivenessReadiness) {
    const lh = handlerOf(liveness);
    if (lh && canonical(field(liveness, lh)) === canonical(field(readiness, lh))) {
      report(join(join(c.path, "livenessProbe"), lh),
        `${who}: livenessProbe uses the same ${lh} check as readinessProbe, so a pod that is merely busy or waiting on a dependency gets restarted instead of just taken out of rotation`,
        ({ livenessProbe: { httpGet: { path: "/healthz", port: portOf(liveness) ?? 8080 } }, readinessProbe: { httpGet: { path: "/ready", port: portOf(readiness) ?? 8080 } } }));
    }
  }
  if (isObject(liveness) && !isPresent(field(c.spec, "startupProbe"))) {
    const t = readTimings(liveness, "", () => undefined);
    if (t.initialDelaySeconds !== undefined && t.failureThreshold !== undefined && t.periodSeconds !== undefined) {
      const grace = t.initialDelaySeconds + t.failureThreshold * t.periodSeconds;
      if (grace < cfg.minStartupSeconds) {
        report(join(c.path, "livenessProbe"),
          `${who}: livenessProbe can kill the container ${grace}s after it starts (initialDelaySeconds ${t.initialDelaySeconds} + failureThreshold ${t.failureThreshold} × periodSeconds ${t.periodSeconds}), before an app that needs ${cfg.minStartupSeconds}s is up — the classic liveness-induced CrashLoopBackOff; add a startupProbe`,
          ({ startupProbe: { [handlerOf(liveness) ?? "httpGet"]: field(liveness, handlerOf(liveness) ?? "httpGet") ?? { path: "/healthz", port: 8080 }, ...SUGGESTED_PROBE_TIMINGS.startupProbe } }));
      }
    }
  }
  return findings;
}

type Report = (path: string, message: string, fix?: unknown) => void;

function checkHandler(probe: Record<string, unknown>, path: string, c: ContainerRef, cfg: { requireDeclaredPort: boolean }, report: Report): void {
  const who = describeContainer(c);
  const present = HANDLERS.filter((h) => isPresent(field(probe, h)));
  if (present.length === 0) {
    report(path, `${who}: ${lastKey(path)} has no handler; set exactly one of exec, httpGet, tcpSocket or grpc`, probeFix(c, lastKey(path) as ProbeKind));
    return;
  }
  if (present.length > 1) {
    report(path, `${who}: ${lastKey(path)} sets ${present.join(" and ")}; a probe takes exactly one handler`);
    return;
  }
  const handler = present[0];
  const spec = field(probe, handler);
  if (isUnknown(spec)) return;
  if (handler === "exec") {
    const command = field(spec, "command");
    if (isUnknown(command)) return;
    if (!Array.isArray(command) || command.length === 0 || command.some((a) => typeof a !== "string") || command[0] === "") {
      report(join(join(path, "exec"), "command"), `${who}: ${lastKey(path)}.exec.command must be a non-empty list of strings, but is ${describeValue(command)}`,
        ({ exec: { command: ["/bin/sh", "-c", "test -f /tmp/healthy"] } }));
    }
    return;
  }
  const port = field(spec, "port");
  const portPath = join(join(path, handler), "port");
  if (isUnknown(port)) return;
  const declared = declaredPorts(c.spec);
  if (typeof port === "string" && !/^[0-9]+$/.test(port)) {
    if (!declared.names.has(port)) {
      report(portPath, `${who}: ${lastKey(path)} uses port "${port}", but the container declares no port by that name${declared.names.size ? ` (it has: ${[...declared.names].join(", ")})` : ""}; the probe can never succeed`,
        ({ ports: [{ name: port, containerPort: 8080 }] }));
    }
    return;
  }
  const num = typeof port === "string" ? Number(port) : port;
  if (typeof num !== "number" || !Number.isInteger(num) || num < 1 || num > 65535) {
    report(portPath, `${who}: ${lastKey(path)} port must be a port number 1-65535 or a declared port name, but is ${describeValue(port)}`);
    return;
  }
  if (cfg.requireDeclaredPort && !declared.numbers.has(num)) {
    report(portPath, `${who}: ${lastKey(path)} probes port ${num}, which the container does not declare in ports; if the app listens elsewhere the probe fails and the pod never becomes ready`,
      ({ ports: [{ name: "http", containerPort: num }] }));
  }
}

function declaredPorts(container: unknown): { names: Set<string>; numbers: Set<number> } {
  const names = new Set<string>();
  const numbers = new Set<number>();
  const ports = field(container, "ports");
  if (Array.isArray(ports)) {
    for (const p of ports) {
      const name = field(p, "name");
      const num = field(p, "containerPort");
      if (typeof name === "string") names.add(name);
      if (typeof num === "number") numbers.add(num);
    }
  }
  return { names, numbers };
}

type Timings = Partial<Record<keyof typeof PROBE_DEFAULTS, number>>;

/** Each timing, defaulted as kubelet would; a malformed one is reported and left undefined. */
function readTimings(probe: Record<string, unknown>, path: string, report: Report): Timings {
  const out: Timings = {};
  for (const [key, fallback] of Object.entries(PROBE_DEFAULTS) as Array<[keyof typeof PROBE_DEFAULTS, number]>) {
    const v = field(probe, key);
    if (isUnknown(v)) continue;
    if (!isPresent(v)) {
      out[key] = fallback;
      continue;
    }
    const min = key === "initialDelaySeconds" ? 0 : 1;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
      report(join(path, key), `${lastKey(path)}.${key} must be a whole number ${min === 0 ? "of 0 or more" : "of 1 or more"}, but is ${describeValue(v)}`);
      continue;
    }
    out[key] = v;
  }
  return out;
}

function handlerOf(probe: unknown): (typeof HANDLERS)[number] | undefined {
  return HANDLERS.find((h) => isPresent(field(probe, h)));
}

function portOf(probe: unknown): unknown {
  const h = handlerOf(probe);
  return h ? field(field(probe, h), "port") : undefined;
}

/** Key-order-independent JSON, so `{port, path}` equals `{path, port}`. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (isObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(",")}}`;
  return JSON.stringify(v) ?? "null";
}

function lastKey(path: string): string {
  const m = /([A-Za-z]+)$/.exec(path);
  return m ? m[1] : path;
}
