/**
 * Resource rules: every container says what it needs (requests) and the most memory it may use
 * (limit), and the values it gives are real quantities in a sane order. A pod without a memory
 * limit is a leading cause of exit 137 (OOMKilled) — for it or for its neighbours.
 */
import type { ContainerRef, Finding, PodTemplate, ResourceValuesConfig, ResourcesRequiredConfig, Rule } from "./types";
import { type Quantity, compareQuantities, parseQuantity, quantityRatio } from "./quantity";
import { field, isObject, isPresent, isUnknown, join } from "./read";
import { resourcesFix } from "./fixes";
import { finding } from "./finding";
import { describeContainer } from "./describe";
import { RULE_DEFAULTS, SUGGESTED_RESOURCES, resourceValues } from "./defaults";
import type { ResourceValuesToFill } from "./fill";
import { QUANTITY_PATTERN, commonSchema } from "./schema";
import { isSecretValue } from "./handlers";

type Need = { key: "requests" | "limits"; resource: "cpu" | "memory"; label: string };

export const resourcesRequired: Rule<"resources-required"> = {
  id: "resources-required",
  title: "CPU and memory requests and a memory limit on every container",
  description:
    "Every container and init container sets cpu and memory requests and a memory limit, so it is scheduled where it fits and an overrun is contained to it.",
  defaultLevel: "mandatory",
  severity: "high",
  defaults: RULE_DEFAULTS["resources-required"],
  configSchema: {
    properties: {
      ...commonSchema,
      requireCpuRequest: {
        type: "boolean",
        default: RULE_DEFAULTS["resources-required"].requireCpuRequest,
        description: "Require resources.requests.cpu.",
      },
      requireMemoryRequest: {
        type: "boolean",
        default: RULE_DEFAULTS["resources-required"].requireMemoryRequest,
        description: "Require resources.requests.memory.",
      },
      requireMemoryLimit: {
        type: "boolean",
        default: RULE_DEFAULTS["resources-required"].requireMemoryLimit,
        description: "Require resources.limits.memory.",
      },
      requireCpuLimit: {
        type: "boolean",
        default: RULE_DEFAULTS["resources-required"].requireCpuLimit,
        description: "Require resources.limits.cpu (off: CPU limits throttle; requests already guarantee a share).",
      },
      defaults: {
        type: "object",
        description: "Values that remediation fills in and fixes suggest; memoryLimit defaults to memoryRequest.",
        properties: Object.fromEntries(
          Object.entries(SUGGESTED_RESOURCES).map(([k, v]) => [
            k,
            { type: "string", pattern: QUANTITY_PATTERN, ...(k === "memoryLimit" ? {} : { default: v }) },
          ]),
        ),
        additionalProperties: false,
      },
    },
  },
  check(template, config) {
    if (template.partial) return []; // a Patch leaves absent fields as they are
    const all = wantedFor(config);
    const wanted = template.podResources === undefined ? all : notCoveredByPod(all, template.podResources);
    const needs = needsFor(wanted);
    const findings: Finding[] = [];
    for (const c of template.containers) {
      const resources = field(c.spec, "resources");
      let missing: Need[] | undefined;
      for (const n of needs) if (!covers(resources, n.key, n.resource)) (missing ??= []).push(n);
      if (!missing) continue;
      const resourcesPath = join(c.path, "resources");
      const path = missing.length === 1 ? join(join(resourcesPath, missing[0].key), missing[0].resource) : resourcesPath;
      findings.push(
        finding(
          {
            rule: "resources-required",
            severity: "high",
            resource: template.resource,
            container: c.name,
            path,
            message:
              `${describeContainer(c)} has no ${listLabels(missing.map((m) => m.label))}` +
              (missing.some((m) => m.label === "memory limit")
                ? "; without a memory limit one leak can OOM-kill (exit 137) every pod on the node"
                : "; the scheduler cannot place it where it fits"),
          },
          resourcesFix(c, wanted),
        ),
      );
    }
    return findings;
  },
};

/** What remediation fills in and the resources fix suggests: the required requests and limits, with the configured values. */
export function resourcesToFill(config: ResourcesRequiredConfig): ResourceValuesToFill {
  const cfg = { ...RULE_DEFAULTS["resources-required"], ...config };
  const values = resourceValues(config.defaults);
  const wanted: ResourceValuesToFill = { requests: {}, limits: {} };
  if (cfg.requireCpuRequest) wanted.requests.cpu = values.cpuRequest;
  if (cfg.requireMemoryRequest) wanted.requests.memory = values.memoryRequest;
  if (cfg.requireMemoryLimit) wanted.limits.memory = values.memoryLimit;
  if (cfg.requireCpuLimit) wanted.limits.cpu = values.cpuLimit;
  return wanted;
}

// The same configuration object asks for the same values on every template: read it once.
const wantedByConfig = new WeakMap<object, ResourceValuesToFill>();
const needsByWanted = new WeakMap<ResourceValuesToFill, Need[]>();

function wantedFor(config: ResourcesRequiredConfig): ResourceValuesToFill {
  let wanted = wantedByConfig.get(config);
  if (!wanted) {
    const fresh = resourcesToFill(config);
    wanted = Object.freeze({ requests: Object.freeze(fresh.requests), limits: Object.freeze(fresh.limits) });
    wantedByConfig.set(config, wanted);
  }
  return wanted;
}

function needsFor(wanted: ResourceValuesToFill): Need[] {
  let needs = needsByWanted.get(wanted);
  if (!needs) {
    needs = (["requests", "limits"] as const).flatMap((key) =>
      Object.keys(wanted[key]).map((resource) => ({
        key,
        resource: resource as Need["resource"],
        label: `${resource} ${key === "requests" ? "request" : "limit"}`,
      })),
    );
    needsByWanted.set(wanted, needs);
  }
  return needs;
}

/** What is left to fill in once pod-level requests and limits are counted: they cover every container. */
export function notCoveredByPod(wanted: ResourceValuesToFill, podResources: unknown): ResourceValuesToFill {
  const keep = (key: "requests" | "limits") =>
    Object.fromEntries(Object.entries(wanted[key]).filter(([resource]) => !covers(podResources, key, resource)));
  return { requests: keep("requests"), limits: keep("limits") };
}

/** `resources` (a container's or the pod's) sets a non-zero value for this request or limit: not missing, not zero (which Kubernetes treats as not asking for anything). */
function covers(resources: unknown, key: "requests" | "limits", resource: string): boolean {
  if (!isPresent(resources)) return false;
  if (isUnknown(resources)) return true;
  const direct = quantityAt(resources, key, resource);
  if (direct !== "missing") return direct === "set";
  // The API server copies a limit into a missing request, so a limit satisfies the request.
  return key === "requests" && quantityAt(resources, "limits", resource) === "set";
}

function quantityAt(resources: unknown, key: string, resource: string): "missing" | "zero" | "set" {
  const group = field(resources, key);
  if (isUnknown(group)) return "set";
  const v = field(group, resource);
  if (!isPresent(v)) return "missing";
  if (isUnknown(v) || isSecretValue(v)) return "set";
  const q = parseQuantity(v);
  return q.ok && q.quantity.nanos === 0n ? "zero" : "set"; // an invalid value is resource-values-valid's to report
}

export const resourceValuesValid: Rule<"resource-values-valid"> = {
  id: "resource-values-valid",
  title: "Resource values are valid quantities, limits at or above requests",
  description:
    "Every request and limit parses as a Kubernetes quantity, is not negative, each limit is at least its request, and optional ratio and min/max bounds hold.",
  defaultLevel: "mandatory",
  severity: "high",
  defaults: RULE_DEFAULTS["resource-values-valid"],
  configSchema: {
    properties: {
      ...commonSchema,
      maxMemoryLimitToRequestRatio: {
        type: "number",
        exclusiveMinimum: 0,
        description: "Largest allowed limits.memory / requests.memory.",
      },
      maxCpuLimitToRequestRatio: { type: "number", exclusiveMinimum: 0, description: "Largest allowed limits.cpu / requests.cpu." },
      minCpuRequest: { type: "string", pattern: QUANTITY_PATTERN, description: "Smallest allowed requests.cpu, e.g. 100m." },
      minMemoryRequest: { type: "string", pattern: QUANTITY_PATTERN, description: "Smallest allowed requests.memory, e.g. 100Mi." },
      maxCpuLimit: { type: "string", pattern: QUANTITY_PATTERN, description: "Largest allowed limits.cpu." },
      maxMemoryLimit: { type: "string", pattern: QUANTITY_PATTERN, description: "Largest allowed limits.memory." },
    },
  },
  check(template, config) {
    const findings: Finding[] = [];
    if (isObject(template.podResources)) {
      // The platform's bounds and ratios are per container; the pod's totals are checked for validity and order only.
      checkValues({ template, c: undefined, findings }, template.podResources, NO_BOUNDS);
    }
    for (const c of template.containers) checkValues({ template, c, findings }, field(c.spec, "resources"), config);
    return findings;
  },
};

const NO_BOUNDS: ResourceValuesConfig = Object.freeze({});

/**
 * Whose `resources` block is read: a container's, or the pod's own (then `c` is undefined), and
 * where its findings go. Paths and messages are built only for a finding: this runs on every
 * container of every resource.
 */
interface Reading {
  template: PodTemplate;
  c: ContainerRef | undefined;
  findings: Finding[];
}

function checkValues(at: Reading, resources: unknown, cfg: ResourceValuesConfig): void {
  const requests = field(resources, "requests");
  const limits = field(resources, "limits");
  checkGroup(at, requests, "requests");
  checkGroup(at, limits, "limits");

  if (isObject(limits)) {
    for (const name in limits) {
      if (!Object.hasOwn(limits, name)) continue;
      const limit = accepted(limits, name);
      const request = limit && accepted(requests, name);
      if (request && compareQuantities(limit, request) < 0) {
        report(
          at,
          valuePath(at, "limits", name),
          `${whose(at)}: ${name} limit ${limit.text} is below its request ${request.text}; the API server rejects this`,
          { limits: { [name]: request.text } },
        );
      }
    }
  }

  checkRatio(at, requests, limits, "memory", cfg.maxMemoryLimitToRequestRatio);
  checkRatio(at, requests, limits, "cpu", cfg.maxCpuLimitToRequestRatio);
  checkBound(at, requests, "requests", "cpu", cfg.minCpuRequest, "min");
  checkBound(at, requests, "requests", "memory", cfg.minMemoryRequest, "min");
  checkBound(at, limits, "limits", "cpu", cfg.maxCpuLimit, "max");
  checkBound(at, limits, "limits", "memory", cfg.maxMemoryLimit, "max");
}

/** Every value of `requests` or `limits` parses as a quantity and is not negative. */
function checkGroup(at: Reading, group: unknown, key: "requests" | "limits"): void {
  if (!isObject(group)) return;
  for (const name in group) {
    if (!Object.hasOwn(group, name)) continue;
    const value = group[name];
    if (!isPresent(value) || isUnknown(value) || isSecretValue(value)) continue; // what cannot be read without revealing it is not judged
    const q = parseQuantity(value);
    if (q.ok && q.quantity.nanos >= 0n) continue;
    const path = valuePath(at, key, name);
    if (!q.ok) {
      report(at, path, `${whose(at)}: ${path} is invalid: ${q.error}`, {
        [key]: { [name]: q.correction ?? suggestion(name, key) },
      });
    } else {
      report(at, path, `${whose(at)}: ${path} is negative (${q.quantity.text}); resource amounts must be zero or more`, {
        [key]: { [name]: suggestion(name, key) },
      });
    }
  }
}

/** The value at `group[name]` as a quantity, where it is one checkGroup accepts. */
function accepted(group: unknown, name: string): Quantity | undefined {
  const value = field(group, name);
  if (!isPresent(value) || isUnknown(value) || isSecretValue(value)) return undefined;
  const q = parseQuantity(value);
  return q.ok && q.quantity.nanos >= 0n ? q.quantity : undefined;
}

function checkRatio(at: Reading, requests: unknown, limits: unknown, name: "memory" | "cpu", max: number | undefined): void {
  if (max === undefined) return;
  const limit = accepted(limits, name);
  const request = accepted(requests, name);
  if (!limit || !request || request.nanos === 0n) return;
  const r = quantityRatio(limit, request);
  if (r > max) {
    report(
      at,
      valuePath(at, "limits", name),
      `${whose(at)}: ${name} limit ${limit.text} is ${r.toFixed(2)}× its request ${request.text}; at most ${max}× is allowed, or the node overcommits and evicts under pressure`,
    );
  }
}

function checkBound(
  at: Reading,
  group: unknown,
  key: "requests" | "limits",
  name: "cpu" | "memory",
  bound: string | undefined,
  dir: "min" | "max",
): void {
  if (bound === undefined) return;
  const value = accepted(group, name);
  const b = parseQuantity(bound);
  if (!value || !b.ok) return;
  const cmp = compareQuantities(value, b.quantity);
  if ((dir === "min" && cmp < 0) || (dir === "max" && cmp > 0)) {
    report(
      at,
      valuePath(at, key, name),
      `${whose(at)}: ${name} ${key === "requests" ? "request" : "limit"} ${value.text} is ${dir === "min" ? "below the minimum" : "above the maximum"} ${bound} this platform allows`,
      { [key]: { [name]: bound } },
    );
  }
}

function report(at: Reading, path: string, message: string, fix?: unknown): void {
  at.findings.push(
    finding({ rule: "resource-values-valid", severity: "high", resource: at.template.resource, container: at.c?.name, path, message }, fix),
  );
}

function whose(at: Reading): string {
  return at.c ? describeContainer(at.c) : "the pod";
}

/** `<container or pod spec>.resources.<key>.<name>` */
function valuePath(at: Reading, key: "requests" | "limits", name: string): string {
  return join(join(join(at.c ? at.c.path : at.template.specPath, "resources"), key), name);
}

function suggestion(name: string, key: "requests" | "limits"): string {
  if (name === "cpu") return key === "requests" ? SUGGESTED_RESOURCES.cpuRequest : SUGGESTED_RESOURCES.cpuLimit;
  if (name === "memory") return key === "requests" ? SUGGESTED_RESOURCES.memoryRequest : SUGGESTED_RESOURCES.memoryLimit;
  return "1";
}

function listLabels(labels: string[]): string {
  return labels.length <= 1 ? labels.join("") : `${labels.slice(0, -1).join(", ")} or ${labels[labels.length - 1]}`;
}
