/**
 * Workload's construction-time check: the rule core over the spec it built, at the levels the
 * pack would enforce, with each finding traced back to the Workload argument it came from so the
 * message and the fix speak in the arguments the user wrote, not in the YAML Workload generated.
 */
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { type Finding, type Level, checkObject, formatFinding } from "../policies/rules";
import { PolicyConfigError, type PolicyConfigFile, ruleSettings, validatePolicyConfig } from "../cli/policy-config";
import { isPlain } from "../policies/rules/fill";
import { shutdownTimings } from "./workload-pod";
import { DEFAULTS } from "./defaults";
import type { WorkloadArgs } from "./workload";

/** A rule-core finding on a Workload: its enforcement level and the argument it came from. */
export interface WorkloadFinding extends Finding {
  level: Exclude<Level, "disabled">;
  /** The Workload argument behind the field, e.g. `resources.memoryLimit` or `sidecars[0].resources`. */
  argument: string;
}

/** The stack config key (namespace `crashguard`) holding a policy config, as `--policy-pack-config` takes it. */
export const POLICY_CONFIG_KEY = "policyConfig";

/** Findings at mandatory (or remediate) level: `new Workload` refuses the spec. */
export class WorkloadValidationError extends pulumi.RunError {
  constructor(
    readonly workload: string,
    readonly findings: WorkloadFinding[],
  ) {
    super(findings.map((f) => describeFinding(workload, f)).join("\n"));
  }
}

/** Arguments that contradict each other or Kubernetes, found before any spec is built. */
export class WorkloadArgumentError extends pulumi.RunError {
  constructor(
    readonly workload: string,
    readonly problems: string[],
  ) {
    super(problems.map((p) => `Workload "${workload}": ${p}`).join("\n"));
  }
}

export function describeFinding(workload: string, f: WorkloadFinding): string {
  return `Workload "${workload}": [${f.rule}] argument \`${f.argument}\`: ${formatFinding(f)}`;
}

/**
 * The rule core's findings on `manifest` with the levels in force: the pack's defaults, then the
 * stack config `crashguard:policyConfig`, then the `policyConfig` argument (each key wins over the
 * one before). Disabled rules are not run at all.
 */
export function checkWorkload(name: string, args: WorkloadArgs, manifest: unknown, typeToken: string): WorkloadFinding[] {
  const { levels, configs } = ruleSettings(policyConfig(name, args));
  const rules = Object.entries(levels)
    .filter(([, level]) => level !== "disabled")
    .map(([id]) => id) as Finding["rule"][];
  return checkObject(manifest, { typeToken, name, config: configs, rules }).map((f) =>
    traced(f, levels[f.rule] as WorkloadFinding["level"], args),
  );
}

/** Mandatory and remediate findings block: remediation only fills what is missing, which Workload already did. */
export function blocks(f: WorkloadFinding): boolean {
  return f.level !== "advisory";
}

function policyConfig(name: string, args: WorkloadArgs): PolicyConfigFile {
  try {
    const fromStack = new pulumi.Config("crashguard").getObject<unknown>(POLICY_CONFIG_KEY);
    const stack = fromStack === undefined ? {} : validatePolicyConfig(fromStack, `stack config crashguard:${POLICY_CONFIG_KEY}`);
    const own = args.policyConfig === undefined ? {} : validatePolicyConfig(args.policyConfig, "argument `policyConfig`");
    return { ...stack, ...own };
  } catch (err) {
    if (err instanceof PolicyConfigError) throw new WorkloadArgumentError(name, [err.message]);
    throw err;
  }
}

/** Contradictions between arguments, each naming the argument and the fix. */
export function argumentProblems(args: WorkloadArgs): string[] {
  const problems: string[] = [];
  const { autoscaling } = args;
  if (autoscaling) {
    if (args.replicas !== undefined)
      problems.push(
        "`replicas` and `autoscaling` are both set; the autoscaler owns the pod count, so drop `replicas` and set `autoscaling.min`",
      );
    if (!(Number.isInteger(autoscaling.min) && autoscaling.min >= 1))
      problems.push(`\`autoscaling.min\` is ${autoscaling.min}; it must be a whole number of at least 1`);
    if (!(Number.isInteger(autoscaling.max) && autoscaling.max >= autoscaling.min))
      problems.push(
        `\`autoscaling.max\` is ${autoscaling.max}; it must be a whole number at least \`autoscaling.min\` (${autoscaling.min})`,
      );
    for (const key of ["cpuUtilization", "memoryUtilization"] as const) {
      const v = autoscaling[key];
      if (v !== undefined && !(Number.isInteger(v) && v > 0))
        problems.push(`\`autoscaling.${key}\` is ${v}; give a percentage of the request above 0, e.g. 70`);
    }
  }
  const { preStopSleepSeconds, terminationGracePeriodSeconds } = shutdownTimings(args);
  if (preStopSleepSeconds < 0) problems.push(`\`preStopSleepSeconds\` is ${preStopSleepSeconds}; use 0 for no sleep`);
  if (terminationGracePeriodSeconds <= preStopSleepSeconds && preStopSleepSeconds > 0) {
    problems.push(
      `\`terminationGracePeriodSeconds\` (${terminationGracePeriodSeconds}) is not above \`preStopSleepSeconds\` (${preStopSleepSeconds}); the sleep counts against the grace period, so the app would be killed before SIGTERM — raise it to at least ${preStopSleepSeconds + 10}`,
    );
  }
  if (args.volumeClaims && args.kind !== "StatefulSet")
    problems.push(
      '`volumeClaims` needs `kind: "StatefulSet"`; for a Deployment mount an existing claim through `volumes` (persistentVolumeClaim)',
    );
  if (args.ingress && args.service === false)
    problems.push("`ingress` routes to the Service, but `service` is false; drop `service: false`");
  if (args.workloadIdentity?.federatedCredential && args.namespace === undefined) {
    problems.push(
      "`workloadIdentity.federatedCredential` trusts one ServiceAccount by namespace and name; set `namespace` so the credential's subject is known",
    );
  }
  if (args.workloadIdentity && args.serviceAccountName !== undefined) {
    problems.push("`serviceAccountName` and `workloadIdentity` are both set; name the account with `workloadIdentity.serviceAccountName`");
  }
  return problems;
}

type Traced = { argument: string; fix?: unknown };

function traced(f: Finding, level: WorkloadFinding["level"], args: WorkloadArgs): WorkloadFinding {
  const { argument, fix } = argumentOf(f, args);
  return { ...f, level, argument, ...(fix === undefined ? {} : { fix: asArgument(fix) }) };
}

const POD = "spec.template.spec";
const CONTAINER_PATH = /^spec\.template\.spec\.(containers|initContainers)\[(\d+)\](?:\.(.*))?$/;

/** The argument behind a finding's field path, and where it has one, the fix as that argument's value. */
function argumentOf(f: Finding, args: WorkloadArgs): Traced {
  const m = CONTAINER_PATH.exec(f.path);
  if (!m) {
    if (f.path.startsWith(`${POD}.`)) return { argument: `podSpec.${f.path.slice(POD.length + 1)}` };
    return { argument: f.path.startsWith("metadata.annotations") ? "annotations" : f.path };
  }
  const [, list, index, rest = ""] = m;
  const i = Number(index);
  const suffix = rest ? `.${rest}` : "";
  if (args.podSpec?.[list as "containers" | "initContainers"] !== undefined) return { argument: `podSpec.${list}[${i}]${suffix}` };
  if (list === "initContainers") {
    const sidecars = args.sidecars?.length ?? 0;
    return { argument: i < sidecars ? `sidecars[${i}]${suffix}` : `initContainers[${i - sidecars}]${suffix}` };
  }
  if (i > 0) return { argument: `extraContainers[${i - 1}]${suffix}` };
  const top = rest.split(".")[0].replace(/\[.*$/, "");
  if (args.container && (args.container as Record<string, unknown>)[top] !== undefined) return { argument: `container.${rest}` };
  return appArgument(f, rest, args);
}

const RESOURCE_ARGS: Record<string, string> = {
  "requests.cpu": "cpuRequest",
  "requests.memory": "memoryRequest",
  "limits.memory": "memoryLimit",
  "limits.cpu": "cpuLimit",
};
const PROBES = ["readinessProbe", "livenessProbe", "startupProbe"] as const;

function appArgument(f: Finding, rest: string, args: WorkloadArgs): Traced {
  const [top, ...tail] = rest.split(".");
  if (top === "resources") {
    const key = RESOURCE_ARGS[tail.join(".")];
    return { argument: key ? `resources.${key}` : "resources", fix: resourcesArgument(f.fix) };
  }
  const probe = PROBES.find((p) => p === top);
  if (probe) return probeArgument(f, probe, tail, args);
  if (top === "image")
    return { argument: "image", fix: f.fix === undefined ? undefined : { image: (parse(f.fix) as { image: string }).image } };
  if (top.startsWith("ports")) return { argument: "port" };
  if (top.startsWith("env")) return { argument: "env" };
  return { argument: top ? `container.${rest}` : "container" };
}

/** `resources: { requests: { cpu } , limits: { memory } }` as the `resources` argument's keys. */
function resourcesArgument(fix: string | undefined): unknown {
  if (fix === undefined) return undefined;
  const parsed = parse(fix) as Record<string, unknown>;
  const block = isPlain(parsed.resources) ? parsed.resources : parsed;
  const values: Record<string, unknown> = {};
  for (const [path, key] of Object.entries(RESOURCE_ARGS)) {
    const [group, name] = path.split(".");
    const value = isPlain(block[group]) ? (block[group] as Record<string, unknown>)[name] : undefined;
    if (value !== undefined) values[key] = value;
  }
  return { resources: values };
}

function probeArgument(f: Finding, probe: (typeof PROBES)[number], tail: string[], args: WorkloadArgs): Traced {
  const field = tail.join(".");
  if (args[probe] !== undefined) {
    // The rule core's fix would declare a second port; in Workload terms the probe targets one that exists.
    const fix = field.endsWith(".port")
      ? `${probe}: probe \`portName\` ("${args.portName ?? DEFAULTS.portName}"), or declare the port in \`extraPorts\``
      : undefined;
    return { argument: field ? `${probe}.${field}` : probe, fix };
  }
  if (field.startsWith("httpGet")) {
    return {
      argument: probe === "readinessProbe" ? "readinessPath" : "livenessPath",
      fix: { readinessPath: DEFAULTS.readinessPath, livenessPath: DEFAULTS.livenessPath },
    };
  }
  const argument = probe === "startupProbe" && !field ? "startupSeconds" : `probeTimings.${probe}${field ? `.${field}` : ""}`;
  return { argument, fix: f.fix === undefined ? undefined : timingsArgument(parse(f.fix)) };
}

/** A probe fix as `probeTimings` (or `startupSeconds` when the fix adds a startup probe). */
function timingsArgument(fix: unknown): unknown {
  if (!isPlain(fix)) return undefined;
  const startup = fix.startupProbe;
  if (isPlain(startup) && typeof startup.periodSeconds === "number" && typeof startup.failureThreshold === "number") {
    return { startupSeconds: startup.periodSeconds * startup.failureThreshold };
  }
  const timings: Record<string, unknown> = {};
  for (const probe of PROBES) {
    const p = fix[probe];
    if (!isPlain(p)) continue;
    timings[probe] = Object.fromEntries(Object.entries(p).filter(([k]) => k.endsWith("Seconds") || k.endsWith("Threshold")));
  }
  return Object.keys(timings).length > 0 ? { probeTimings: timings } : undefined;
}

/** A value as TypeScript object-literal text: what the user pastes into the Workload's arguments. */
function asArgument(value: unknown): string {
  if (typeof value === "string") return value;
  const json = JSON.stringify(value, null, 1).replace(/\n\s*/g, " ");
  return json.replace(/"([A-Za-z_$][\w$]*)":/g, "$1:").replace(/^\{ (.*) \}$/, "$1");
}
