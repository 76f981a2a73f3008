/**
 * Finds every pod template in any object: plain manifests (apiVersion/kind), Pulumi resource
 * inputs named by a type token (`kubernetes:apps/v1:Deployment`, `…Patch`, `…List`), and `List`s.
 */
import type { ContainerKind, ContainerRef, PodTemplate } from "./types";
import { type Obj, describeValue, field, isObject, isPresent, isUnknown, join } from "./read";

/** Where each workload kind keeps its pod spec, and whether its pods run until stopped. */
export const WORKLOADS: Record<string, { specPath: string[]; longRunning: boolean }> = {
  Pod: { specPath: ["spec"], longRunning: true },
  PodTemplate: { specPath: ["template", "spec"], longRunning: true },
  Deployment: { specPath: ["spec", "template", "spec"], longRunning: true },
  StatefulSet: { specPath: ["spec", "template", "spec"], longRunning: true },
  DaemonSet: { specPath: ["spec", "template", "spec"], longRunning: true },
  ReplicaSet: { specPath: ["spec", "template", "spec"], longRunning: true },
  ReplicationController: { specPath: ["spec", "template", "spec"], longRunning: true },
  Job: { specPath: ["spec", "template", "spec"], longRunning: false },
  CronJob: { specPath: ["spec", "jobTemplate", "spec", "template", "spec"], longRunning: false },
};

export const WORKLOAD_KINDS = Object.keys(WORKLOADS);

/** Annotation that exempts a workload from rules: `"<rule-id>[,<rule-id>…]: <reason>"`, clauses joined by `;`. */
export const EXEMPT_ANNOTATION = "crashguard.dev/exempt";

const TYPE_TOKEN = /^kubernetes:[^:]+:([A-Za-z]+)$/;

/** The kind a Pulumi type token names, and whether it is a Patch or a List resource. */
export function parseTypeToken(token: string): { kind: string; partial: boolean; list: boolean } | undefined {
  const m = TYPE_TOKEN.exec(token);
  if (!m) return undefined;
  let kind = m[1];
  const partial = kind.endsWith("Patch");
  if (partial) kind = kind.slice(0, -"Patch".length);
  const list = kind.endsWith("List") && kind !== "List";
  if (list) kind = kind.slice(0, -"List".length);
  return { kind, partial, list };
}

/** Is this type token (or manifest kind) one the rules read? Cheap, for adapters that filter first. */
export function isWorkloadType(typeOrKind: string): boolean {
  const parsed = parseTypeToken(typeOrKind);
  const kind = parsed ? parsed.kind : typeOrKind;
  return Object.hasOwn(WORKLOADS, kind) || kind === "List" || (parsed?.list ?? false);
}

export interface TemplateOptions {
  /** Pulumi type token; decides the kind when the object has none, and marks Patch resources. */
  typeToken?: string;
  /** Name to use when the object's metadata has none (the Pulumi resource name). */
  name?: string;
}

export function podTemplates(obj: unknown, options: TemplateOptions = {}): PodTemplate[] {
  const out: PodTemplate[] = [];
  const parsed = options.typeToken ? parseTypeToken(options.typeToken) : undefined;
  const ownKind = field(obj, "kind");
  const kind = typeof ownKind === "string" ? ownKind : parsed?.kind;
  const partial = parsed?.partial ?? false;
  if (parsed?.list || kind?.endsWith("List")) {
    collectList(obj, partial, options.name, out);
  } else if (kind) {
    collect(obj, kind, "", partial, options.name, out);
  }
  return out;
}

/** Lists inside Lists deeper than this are reported, not read: kubectl never nests them at all. */
const MAX_LIST_DEPTH = 8;
/**
 * Containers read per list. No real pod comes near it; a document that does is hostile, and
 * reading all of it would make every adapter's cost grow with what an attacker writes.
 */
export const MAX_CONTAINERS = 1000;

/** Walks nested Lists in document order with an explicit stack, so no input depth can overflow the call stack. */
function collectList(root: unknown, partial: boolean, name: string | undefined, out: PodTemplate[]): void {
  const rootItems = field(root, "items");
  if (!Array.isArray(rootItems)) return;
  const stack: { items: unknown[]; next: number; path: string; name?: string }[] = [{ items: rootItems, next: 0, path: "", name }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    if (frame.next >= frame.items.length) {
      stack.pop();
      continue;
    }
    const i = frame.next++;
    const item = frame.items[i];
    const kind = field(item, "kind");
    if (typeof kind !== "string") continue;
    const itemPath = join(join(frame.path, "items"), i);
    if (!kind.endsWith("List")) {
      collect(item, kind, itemPath, partial, frame.name ? `${frame.name}[${i}]` : undefined, out);
    } else if (stack.length <= MAX_LIST_DEPTH) {
      const items = field(item, "items");
      if (Array.isArray(items)) stack.push({ items, next: 0, path: itemPath });
    } else {
      const resource = `${kind} at ${itemPath}`;
      out.push({
        ...emptyTemplate(kind, "<unnamed>", undefined, resource, itemPath, itemPath, partial),
        problems: [
          { path: itemPath, message: `${resource} is nested more than ${MAX_LIST_DEPTH} Lists deep and was not read; flatten the List` },
        ],
      });
    }
  }
}

function emptyTemplate(
  kind: string,
  name: string,
  namespace: string | undefined,
  resource: string,
  path: string,
  specPath: string,
  partial: boolean,
): PodTemplate {
  // Every field present from the start, podResources too: one object shape for every template.
  return {
    kind,
    name,
    namespace,
    resource,
    path,
    specPath,
    longRunning: true,
    partial,
    annotations: {},
    containers: [],
    podResources: undefined,
    problems: [],
  };
}

/** Each workload's shape with the paths every template of its kind needs, spelled out once. */
const SHAPES: Record<string, { specPath: string[]; specPathText: string; podPath: string[]; longRunning: boolean }> = Object.fromEntries(
  Object.entries(WORKLOADS).map(([kind, w]) => [
    kind,
    { ...w, specPathText: w.specPath.reduce(join, ""), podPath: w.specPath.slice(0, -1) },
  ]),
);

function collect(obj: unknown, kind: string, path: string, partial: boolean, fallbackName: string | undefined, out: PodTemplate[]): void {
  const shape = Object.hasOwn(SHAPES, kind) ? SHAPES[kind] : undefined;
  if (!shape || !isObject(obj)) return;
  const metadata = field(obj, "metadata");
  const name = stringField(metadata, "name") ?? fallbackName ?? "<unnamed>";
  const namespace = stringField(metadata, "namespace");
  const specPath = path === "" ? shape.specPathText : shape.specPath.reduce(join, path);
  const template = emptyTemplate(kind, name, namespace, `${kind} ${namespace ? `${namespace}/` : ""}${name}`, path, specPath, partial);
  template.longRunning = shape.longRunning;
  // The pod template's own metadata sits beside its spec; the owner's annotations win.
  const podMetadata = kind === "Pod" ? undefined : field(walk(obj, shape.podPath), "metadata");
  copyStrings(field(podMetadata, "annotations"), template.annotations);
  copyStrings(field(metadata, "annotations"), template.annotations);

  let spec: unknown = obj;
  for (let i = 0; i < shape.specPath.length; i++) {
    spec = field(spec, shape.specPath[i]);
    if (isUnknown(spec)) {
      out.push(template);
      return; // Not knowable during preview: nothing to judge, nothing to complain about.
    }
    if (isPresent(spec) && isObject(spec)) continue;
    // Paths are spelled out only for what is wrong: this runs for every workload.
    const at = shape.specPath.slice(0, i + 1).reduce(join, path);
    if (!isPresent(spec)) {
      if (!partial) template.problems.push({ path: at, message: `${template.resource} has no ${at}, so it has no containers to run` });
    } else {
      template.problems.push({ path: at, message: `${at} must be an object, but is ${describeValue(spec)}` });
    }
    out.push(template);
    return;
  }
  if (kind === "Pod" && field(spec, "restartPolicy") !== undefined && field(spec, "restartPolicy") !== "Always") {
    template.longRunning = false; // a run-to-completion Pod is a job in all but name
  }
  template.podResources = field(spec, "resources");
  readContainers(spec as Obj, template, "containers", partial);
  readContainers(spec as Obj, template, "initContainers", true);
  out.push(template);
}

function readContainers(spec: Obj, template: PodTemplate, key: "containers" | "initContainers", optional: boolean): void {
  const list = field(spec, key);
  const path = join(template.specPath, key);
  if (isUnknown(list)) return;
  if (!isPresent(list)) {
    if (!optional) template.problems.push({ path, message: `${template.resource} declares no containers at ${path}` });
    return;
  }
  if (!Array.isArray(list)) {
    template.problems.push({ path, message: `${path} must be a list of containers, but is ${describeValue(list)}` });
    return;
  }
  if (list.length === 0 && !optional) template.problems.push({ path, message: `${template.resource} declares no containers at ${path}` });
  if (list.length > MAX_CONTAINERS) {
    template.problems.push({
      path,
      message: `${path} lists ${list.length} containers; crashguard reads the first ${MAX_CONTAINERS} and checked none of the other ${list.length - MAX_CONTAINERS}`,
    });
  }
  const count = Math.min(list.length, MAX_CONTAINERS);
  for (let i = 0; i < count; i++) {
    if (!(i in list)) continue; // a hole in a sparse list is no container
    const c: unknown = list[i];
    const cpath = join(path, i);
    if (!isObject(c)) {
      template.problems.push({ path: cpath, message: `${cpath} must be a container object, but is ${describeValue(c)}` });
      continue;
    }
    const name = typeof c.name === "string" && c.name ? c.name : `#${i}`;
    const kind: ContainerKind = key === "containers" ? "container" : field(c, "restartPolicy") === "Always" ? "sidecar" : "init";
    const ref: ContainerRef = { kind, name, path: cpath, spec: c };
    checkShape(ref, template);
    template.containers.push(ref);
  }
}

/** A field the rules read as an object must be one; anything else is reported once, here. */
function expectObject(value: unknown, keys: readonly string[], c: ContainerRef, template: PodTemplate): void {
  if (isPresent(value) && !isUnknown(value) && !isObject(value)) {
    const path = keys.reduce(join, c.path);
    template.problems.push({ path, container: c.name, message: `${path} must be an object, but is ${describeValue(value)}` });
  }
}

// The keys of the fields checkShape reads, made once: it runs on every container of every
// resource, and joins them into a path only for a field that is wrong.
const RESOURCES = ["resources"];
const REQUESTS = ["resources", "requests"];
const LIMITS = ["resources", "limits"];
const PROBES = [["livenessProbe"], ["readinessProbe"], ["startupProbe"]];

/** Fields the rules read must have the right shape; anything else is reported once, here. */
function checkShape(c: ContainerRef, template: PodTemplate): void {
  const resources = field(c.spec, "resources");
  expectObject(resources, RESOURCES, c, template);
  expectObject(field(resources, "requests"), REQUESTS, c, template);
  expectObject(field(resources, "limits"), LIMITS, c, template);
  for (const probe of PROBES) expectObject(field(c.spec, probe[0]), probe, c, template);
  const ports = field(c.spec, "ports");
  if (isPresent(ports) && !isUnknown(ports) && !Array.isArray(ports)) {
    const path = join(c.path, "ports");
    template.problems.push({ path, container: c.name, message: `${path} must be a list, but is ${describeValue(ports)}` });
  }
}

function walk(obj: unknown, keys: string[]): unknown {
  let o = obj;
  for (const k of keys) o = field(o, k);
  return o;
}

function stringField(obj: unknown, key: string): string | undefined {
  const v = field(obj, key);
  return typeof v === "string" && v !== "" && !isUnknown(v) ? v : undefined;
}

/** Copies the string values of `v`, if it is an object, into `out`. */
function copyStrings(v: unknown, out: Record<string, string>): void {
  if (!isObject(v)) return;
  for (const k of Object.keys(v)) {
    const val = v[k];
    if (typeof val === "string") out[k] = val;
  }
}
