/**
 * Probe rules. Readiness keeps traffic off a pod that cannot serve; liveness restarts one that
 * hangs; and a badly timed liveness probe is itself a top cause of CrashLoopBackOff — a 1 s
 * timeout against a slow handler, or a kill before a slow app has started.
 */
import type { ContainerRef, Finding, PodTemplate, ProbeRequiredConfig, ProbeSanityConfig, Rule } from "./types";
import { describeValue, field, isObject, isPresent, isUnknown, join, setting } from "./read";
import { type ProbeKind, handlerFix, portEntry, probeFix, probeWith } from "./fixes";
import { finding, note } from "./finding";
import { HANDLERS, type Handler, effectiveTimings, handlerOf, sameCheck } from "./handlers";
import { PROBE_DEFAULTS, RULE_DEFAULTS } from "./defaults";
import { whileFailing, withoutLiveness, withoutReadiness } from "./consequences";
import { describeContainer } from "./describe";
import { commonSchema } from "./schema";

const PROBE_KINDS: ProbeKind[] = ["readinessProbe", "livenessProbe", "startupProbe"];

const requiredSchema = {
  ...commonSchema,
  includeSidecars: {
    type: "boolean",
    default: RULE_DEFAULTS["readiness-probe-required"].includeSidecars,
    description: "Also require the probe on restartable sidecars (initContainers with restartPolicy: Always).",
  },
};

function probeRequired<Id extends "readiness-probe-required" | "liveness-probe-required">(
  id: Id,
  probe: ProbeKind,
  title: string,
  description: string,
  defaultLevel: "mandatory" | "advisory",
  why: (t: PodTemplate, c: ContainerRef) => string,
): Rule<Id> {
  return {
    id,
    title,
    description,
    defaultLevel,
    severity: defaultLevel === "mandatory" ? "high" : "medium",
    defaults: RULE_DEFAULTS[id],
    configSchema: { properties: requiredSchema },
    check(template: PodTemplate, config: ProbeRequiredConfig): Finding[] {
      const findings: Finding[] = [];
      if (!template.longRunning || template.partial) return findings;
      const includeSidecars = setting(config, "includeSidecars", RULE_DEFAULTS[id].includeSidecars);
      for (const c of template.containers) {
        if (!(c.kind === "container" || (c.kind === "sidecar" && includeSidecars))) continue;
        if (isPresent(field(c.spec, probe))) continue;
        findings.push(
          finding(
            {
              rule: id,
              severity: defaultLevel === "mandatory" ? "high" : "medium",
              resource: template.resource,
              container: c.name,
              path: join(c.path, probe),
              message: `${describeContainer(c)} has no ${probe}; ${why(template, c)}`,
            },
            probeFix(c, probe),
          ),
        );
      }
      return findings;
    },
  };
}

export const readinessProbeRequired = probeRequired(
  "readiness-probe-required",
  "readinessProbe",
  "Readiness probe on every long-running container",
  "Deployments, StatefulSets, DaemonSets, ReplicaSets, Pods and restartable sidecars declare a readinessProbe, so traffic and rollouts wait until the app can serve. Jobs and CronJobs are exempt.",
  "mandatory",
  withoutReadiness,
);

export const livenessProbeRequired = probeRequired(
  "liveness-probe-required",
  "livenessProbe",
  "Liveness probe on every long-running container",
  "Long-running containers declare a livenessProbe, so a hung process is restarted instead of silently serving errors. Jobs and CronJobs are exempt.",
  "advisory",
  withoutLiveness,
);

const SANITY_DEFAULTS = RULE_DEFAULTS["probe-sanity"];

export const probeSanity: Rule<"probe-sanity"> = {
  id: "probe-sanity",
  title: "Probes that can work",
  description:
    "Probe timeouts below their period, a handler that can run (declared port, non-empty command), liveness distinct from readiness, no liveness kill before the app can start, and no probes on plain init containers.",
  defaultLevel: "advisory",
  severity: "medium",
  defaults: SANITY_DEFAULTS,
  configSchema: {
    properties: {
      ...commonSchema,
      minStartupSeconds: {
        type: "integer",
        minimum: 0,
        default: SANITY_DEFAULTS.minStartupSeconds,
        description:
          "Seconds an app may need to start; a liveness probe without a startupProbe must allow at least this long (initialDelaySeconds + failureThreshold × periodSeconds).",
      },
      requireDeclaredPort: {
        type: "boolean",
        default: SANITY_DEFAULTS.requireDeclaredPort,
        description:
          "Note (low severity) numbered probe ports missing from the container's ports; the kubelet probes them anyway, so this is about documenting where the app listens.",
      },
      forbidIdenticalLivenessReadiness: {
        type: "boolean",
        default: SANITY_DEFAULTS.forbidIdenticalLivenessReadiness,
        description:
          "A liveness probe must not repeat the readiness probe's check with the same timings (the same handler with different thresholds is fine).",
      },
    },
  },
  check(template, config) {
    const cfg: SanityConfig = {
      minStartupSeconds: setting(config, "minStartupSeconds", SANITY_DEFAULTS.minStartupSeconds),
      requireDeclaredPort: setting(config, "requireDeclaredPort", SANITY_DEFAULTS.requireDeclaredPort),
      forbidIdenticalLivenessReadiness: setting(
        config,
        "forbidIdenticalLivenessReadiness",
        SANITY_DEFAULTS.forbidIdenticalLivenessReadiness,
      ),
    };
    const findings: Finding[] = [];
    for (const c of template.containers) checkContainerProbes({ template, c, findings }, cfg);
    return findings;
  },
};

type SanityConfig = Omit<ProbeSanityConfig, "excludeNamespaces">;

/**
 * The container probe-sanity is reading, and where its findings go. Paths and the container's
 * description are built only for a finding: this runs on every container of every resource.
 */
interface Reading {
  template: PodTemplate;
  c: ContainerRef;
  findings: Finding[];
}

function report(at: Reading, path: string, message: string, fix?: unknown, severity: Finding["severity"] = "medium"): void {
  at.findings.push(finding({ rule: "probe-sanity", severity, resource: at.template.resource, container: at.c.name, path, message }, fix));
}

function probePath(c: ContainerRef, kind: ProbeKind): string {
  return join(c.path, kind);
}

function portPath(c: ContainerRef, kind: ProbeKind, handler: Handler): string {
  return join(join(probePath(c, kind), handler), "port");
}

function checkContainerProbes(at: Reading, cfg: SanityConfig): void {
  const { template, c } = at;
  let livenessTimings: Timings | undefined;
  for (const kind of PROBE_KINDS) {
    const probe = field(c.spec, kind);
    if (!isObject(probe)) continue;
    if (c.kind === "init") {
      report(
        at,
        probePath(c, kind),
        `${describeContainer(c)} has a ${kind}, but plain init containers run to completion and the API server rejects probes on them; remove it, or make the container a sidecar with restartPolicy: Always`,
      );
      continue;
    }
    checkHandler(at, probe, kind, cfg);
    const timing = readTimings(at, probe, kind);
    if (kind === "livenessProbe") livenessTimings = timing;
    if (timing.timeoutSeconds !== undefined && timing.periodSeconds !== undefined && timing.timeoutSeconds >= timing.periodSeconds) {
      report(
        at,
        join(probePath(c, kind), "timeoutSeconds"),
        `${describeContainer(c)}: ${kind} timeoutSeconds (${timing.timeoutSeconds}) is not below periodSeconds (${timing.periodSeconds}); the kubelet runs one check at a time, so a slow check takes the whole period and the next starts late — the probe runs less often than periodSeconds says, and failures take up to failureThreshold × ${timing.timeoutSeconds}s to act on`,
        probeWith(c, kind, { periodSeconds: timing.timeoutSeconds + 1 }),
      );
    }
    if (kind !== "readinessProbe" && timing.successThreshold !== undefined && timing.successThreshold !== 1) {
      report(
        at,
        join(probePath(c, kind), "successThreshold"),
        `${describeContainer(c)}: ${kind} successThreshold must be 1 (it is ${timing.successThreshold}); the API server rejects anything else`,
        probeWith(c, kind, { successThreshold: 1 }),
      );
    }
  }
  if (c.kind === "init") return;

  const liveness = field(c.spec, "livenessProbe");
  const readiness = field(c.spec, "readinessProbe");
  if (cfg.forbidIdenticalLivenessReadiness && sameCheck(liveness, readiness)) {
    const handler = handlerOf(liveness)!;
    report(
      at,
      join(probePath(c, "livenessProbe"), handler),
      `${describeContainer(c)}: livenessProbe uses the same ${handler} check as readinessProbe, with the same timings, so a pod that is merely busy or waiting on a dependency is restarted at the very moment it is taken out of rotation; give liveness more patience than readiness`,
      probeWith(c, "livenessProbe", { failureThreshold: effectiveTimings(readiness)!.failureThreshold * 2 }),
    );
  }
  if (livenessTimings && !isPresent(field(c.spec, "startupProbe"))) {
    const t = livenessTimings;
    if (t.initialDelaySeconds !== undefined && t.failureThreshold !== undefined && t.periodSeconds !== undefined) {
      const grace = t.initialDelaySeconds + t.failureThreshold * t.periodSeconds;
      if (cfg.minStartupSeconds !== undefined && grace < cfg.minStartupSeconds) {
        report(
          at,
          probePath(c, "livenessProbe"),
          `${describeContainer(c)}: livenessProbe can kill the container ${grace}s after it starts (initialDelaySeconds ${t.initialDelaySeconds} + failureThreshold ${t.failureThreshold} × periodSeconds ${t.periodSeconds}), before an app that needs ${cfg.minStartupSeconds}s is up: ${whileFailing(template, c, "livenessProbe")}; add a startupProbe with the same check`,
          probeFix(c, "startupProbe"),
        );
      }
    }
  }
}

function checkHandler(at: Reading, probe: Record<string, unknown>, kind: ProbeKind, cfg: SanityConfig): void {
  const { template, c } = at;
  let handler: Handler | undefined;
  let handlers = 0;
  for (const h of HANDLERS) {
    if (!isPresent(field(probe, h))) continue;
    handler ??= h;
    handlers++;
  }
  if (handler === undefined) {
    report(
      at,
      probePath(c, kind),
      `${describeContainer(c)}: ${kind} has no handler; set exactly one of exec, httpGet, tcpSocket or grpc`,
      handlerFix(c, kind),
    );
    return;
  }
  if (handlers > 1) {
    const present = HANDLERS.filter((h) => isPresent(field(probe, h)));
    report(at, probePath(c, kind), `${describeContainer(c)}: ${kind} sets ${present.join(" and ")}; a probe takes exactly one handler`);
    return;
  }
  const spec = field(probe, handler);
  if (isUnknown(spec)) return;
  if (handler === "exec") {
    const command = field(spec, "command");
    if (isUnknown(command)) return;
    if (!Array.isArray(command) || command.length === 0 || command.some((a) => typeof a !== "string") || command[0] === "") {
      // The command is not repeated: it may carry a credential, and its value is not the point.
      report(
        at,
        join(join(probePath(c, kind), "exec"), "command"),
        `${describeContainer(c)}: ${kind}.exec.command must be a non-empty list of strings, but is ${Array.isArray(command) ? (command.length === 0 ? "an empty list" : "a list with an empty or non-string entry") : typeof command === "string" ? "a single string" : describeValue(command)}`,
        note(
          `decide the command that exits 0 when the container is ${kind === "readinessProbe" ? "ready" : "healthy"}, written as a list: command: ["/path/to/check", "arg"]`,
        ),
      );
    }
    return;
  }
  const port = field(spec, "port");
  if (isUnknown(port)) return;
  if (typeof port === "string" && !/^[0-9]+$/.test(port)) {
    if (mayDeclare(c.spec, "name", port)) return; // ports unknown during preview: neither pass nor fail
    const declared = declaredPorts(c.spec);
    report(
      at,
      portPath(c, kind, handler),
      `${describeContainer(c)}: ${kind} uses port "${port}", but the container declares no port by that name${declared.names.size ? ` (it has: ${[...declared.names].join(", ")})` : ""}, so the check always fails: ${whileFailing(template, c, kind)}`,
      namedPortFix(port, declared),
    );
    return;
  }
  const num = typeof port === "string" ? Number(port) : port;
  if (typeof num !== "number" || !Number.isInteger(num) || num < 1 || num > 65535) {
    report(
      at,
      portPath(c, kind, handler),
      `${describeContainer(c)}: ${kind} port must be a port number 1-65535 or a declared port name, but is ${describeValue(port)}`,
    );
    return;
  }
  if (cfg.requireDeclaredPort && !mayDeclare(c.spec, "containerPort", num)) {
    // The kubelet probes a numbered port whether or not it is declared; this is documentation, not breakage.
    report(
      at,
      portPath(c, kind, handler),
      `${describeContainer(c)}: ${kind} probes port ${num}, which the container does not list in ports; the kubelet probes it anyway, but declaring it documents where the app listens and lets Services and network policies name it`,
      { ports: [...declaredPorts(c.spec).entries, portEntry(c.spec, num, handler)] },
      "low",
    );
  }
}

/** The container declares a port whose `key` is `value`, or its ports are not known yet, so it may. */
function mayDeclare(container: unknown, key: "name" | "containerPort", value: string | number): boolean {
  const ports = field(container, "ports");
  if (isUnknown(ports)) return true;
  if (!Array.isArray(ports)) return false;
  for (const p of ports) {
    if (isUnknown(p) || isUnknown(field(p, "name")) || isUnknown(field(p, "containerPort"))) return true;
    if (field(p, key) === value) return true;
  }
  return false;
}

/**
 * A probe naming a port the container does not declare: when the container has exactly one unnamed
 * port, that must be it, so name it; otherwise only the user knows which port the app listens on.
 */
function namedPortFix(name: string, declared: DeclaredPorts): unknown {
  const unnamed = declared.entries.filter((p) => isObject(p) && !isPresent(field(p, "name")));
  if (declared.entries.length === 1 && unnamed.length === 1) return { ports: [{ ...(unnamed[0] as Record<string, unknown>), name }] };
  const choices = declared.names.size ? `point the probe at one of the declared names (${[...declared.names].join(", ")}), or ` : "";
  return note(`decide which port the app answers on: ${choices}declare it in ports as name: ${name} with its containerPort`);
}

interface DeclaredPorts {
  names: Set<string>;
  numbers: Set<number>;
  entries: unknown[];
  unknown: boolean;
}

function declaredPorts(container: unknown): DeclaredPorts {
  const out: DeclaredPorts = { names: new Set(), numbers: new Set(), entries: [], unknown: false };
  const ports = field(container, "ports");
  if (isUnknown(ports)) return { ...out, unknown: true };
  if (!Array.isArray(ports)) return out;
  out.entries = ports;
  for (const p of ports) {
    const name = field(p, "name");
    const num = field(p, "containerPort");
    if (isUnknown(p) || isUnknown(name) || isUnknown(num)) out.unknown = true;
    if (typeof name === "string" && !isUnknown(name)) out.names.add(name);
    if (typeof num === "number") out.numbers.add(num);
  }
  return out;
}

type Timings = Partial<Record<keyof typeof PROBE_DEFAULTS, number>>;

/** Each timing, defaulted as kubelet would; a malformed one is reported and left undefined. */
const TIMING_DEFAULTS = Object.entries(PROBE_DEFAULTS) as Array<[keyof typeof PROBE_DEFAULTS, number]>;

function readTimings(at: Reading, probe: Record<string, unknown>, kind: ProbeKind): Timings {
  const out: Timings = {};
  for (const [key, fallback] of TIMING_DEFAULTS) {
    const v = field(probe, key);
    if (isUnknown(v)) continue;
    if (!isPresent(v)) {
      out[key] = fallback;
      continue;
    }
    const min = key === "initialDelaySeconds" ? 0 : 1;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
      report(
        at,
        join(probePath(at.c, kind), key),
        `${kind}.${key} must be a whole number ${min === 0 ? "of 0 or more" : "of 1 or more"}, but is ${describeValue(v)}`,
      );
      continue;
    }
    out[key] = v;
  }
  return out;
}
