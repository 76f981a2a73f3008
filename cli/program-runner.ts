/**
 * Runs a Pulumi TypeScript/JavaScript program the way `pulumi preview` would, but against
 * `pulumi.runtime.setMocks` instead of an engine: every resource registration is captured as the
 * engine would see it — type, name, URN, parent and its inputs in wire form (unknowns as Pulumi's
 * sentinels, secrets in their envelopes), after the resource's transforms, its parents' and the
 * stack's have run — and handed to the parent as it registers, ready for a policy pack.
 *
 * It runs in a child process of its own (`runProgram` spawns this file), because the Pulumi
 * runtime is process-global and a user program may do anything to its process.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import type * as Pulumi from "@pulumi/pulumi";
import type { AnalyzedResource } from "./pack-client";
import { watchRegistrations } from "./registrations";
import { type RuntimeDebuggable, withoutRuntimeDebugging } from "./runtime-debugging";
import { deferLoading } from "./deferred-module";
import { linearStructFromJavaScript, type StructClasses } from "./linear-struct";
import { tightenHeapAtFirstRegistration } from "./program-heap";

export interface CapturedResource extends AnalyzedResource {
  custom: boolean;
  /** Set when the provider renders this resource's contents at deploy time: what to run to check them. */
  renderedAtDeploy?: string;
}

export interface ProgramRun {
  project: string;
  stack: string;
  resources: CapturedResource[];
}

export interface RunRequest {
  /** Directory holding Pulumi.yaml. */
  projectDir: string;
  project: string;
  stack: string;
  /** Absolute path of the program's entry module. */
  main: string;
  /** Config in `project:key` form, values as strings (as the engine passes them). */
  config: Record<string, string>;
  secretKeys: string[];
}

/** A failure of the user's program, reported with its own message (exit 2 in the CLI). */
export class ProgramError extends Error {}

export const DEFAULT_TIMEOUT_MS = 120_000;

/** What the parent keeps of a program's stderr when it has no error of its own to report. */
const STDERR_TAIL_BYTES = 4096;

export interface RunOptions {
  timeoutMs?: number;
  /** Called with each resource as soon as the program has registered it, in registration order. */
  onResource?: (resource: CapturedResource) => void;
}

/**
 * The child writes each resource to this descriptor as one line of JSON the moment it registers,
 * then FINISHED once the program has run to its end. A program runs start to finish as one chain of
 * promise callbacks that never returns to the event loop, so only a blocking write reaches the
 * parent while it runs; the child's end of a spawned pipe is blocking (libuv opens it so).
 */
const RESOURCE_FD = 3;
const FINISHED = JSON.stringify("finished");

export async function runProgram(req: RunRequest, options: RunOptions = {}): Promise<ProgramRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crashguard-check-"));
  const errorFile = path.join(dir, "error.txt");
  const program = path.relative(process.cwd(), req.main) || req.main;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  try {
    const child = spawn(process.execPath, [...typeScriptHook(req), __filename, JSON.stringify({ main: req.main, errorFile })], {
      cwd: req.projectDir,
      env: programEnv(req),
      stdio: ["ignore", "ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr = (stderr + d).slice(-STDERR_TAIL_BYTES)));
    const resources: CapturedResource[] = [];
    let finished = false;
    readLines(child.stdio[RESOURCE_FD] as NodeJS.ReadableStream, (line) => {
      if (line === FINISHED) finished = true;
      else {
        const resource: CapturedResource = JSON.parse(line);
        resources.push(resource);
        options.onResource?.(resource);
      }
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    const [code, signal]: [number | null, NodeJS.Signals | null] = await new Promise((resolve) =>
      child.on("close", (c, s) => resolve([c, s])),
    );
    clearTimeout(timer);
    if (timedOut)
      throw new ProgramError(
        `${program} did not finish within ${timeoutMs / 1000}s and was stopped; a program that waits on something that never completes never finishes a preview either (raise --timeout if it is only slow)`,
      );
    if (fs.existsSync(errorFile)) throw new ProgramError(fs.readFileSync(errorFile, "utf8"));
    if (code !== 0 || !finished) {
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const tail = stderr.trim().split("\n").slice(-15).join("\n");
      throw new ProgramError(`${program} ${how} before it finished${tail ? `; the end of its stderr:\n${tail}` : ""}`);
    }
    return { project: req.project, stack: req.stack, resources };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Calls `onLine` with each complete line of `stream`, as it arrives. */
function readLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let pending = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    const lines = (pending + chunk).split("\n");
    pending = lines.pop()!;
    for (const line of lines) onLine(line);
  });
}

function programEnv(req: RunRequest): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PULUMI_NODEJS_PROJECT: req.project,
    PULUMI_NODEJS_STACK: req.stack,
    PULUMI_CONFIG: JSON.stringify(req.config),
    PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(req.secretKeys),
    TS_NODE_TRANSPILE_ONLY: "true",
    // The program runs as CommonJS whatever its tsconfig targets, like `pulumi` itself runs it.
    TS_NODE_COMPILER_OPTIONS: JSON.stringify({
      module: "commonjs",
      moduleResolution: commonJsResolution(typeScriptVersion(req.projectDir)),
    }),
  };
}

/** The version of the TypeScript the program's ts-node compiles with (its project's own), if it has one. */
function typeScriptVersion(projectDir: string): string | undefined {
  try {
    const from = createRequire(path.join(projectDir, "package.json"));
    return JSON.parse(fs.readFileSync(from.resolve("typescript/package.json"), "utf8")).version;
  } catch {
    return undefined;
  }
}

/**
 * A module resolution TypeScript accepts beside `module: commonjs`, whatever the tsconfig says:
 * `node` (node10) until TypeScript 6 refuses it as deprecated (error TS5107); `bundler`, which
 * TypeScript 5 refuses with CommonJS (TS5095), from 6 on.
 */
export function commonJsResolution(typeScriptVersion: string | undefined): "node" | "bundler" {
  const major = Number.parseInt(typeScriptVersion ?? "", 10);
  return major >= 6 ? "bundler" : "node";
}

/**
 * `-r ts-node/register` when the program (or, in crashguard's own tests, this runner) is
 * TypeScript. Like the Pulumi CLI, the program's own ts-node comes first; crashguard ships none.
 */
function typeScriptHook(req: RunRequest): string[] {
  if (!isTypeScript(req.main) && !__filename.endsWith(".ts")) return [];
  for (const base of [path.join(req.projectDir, "package.json"), __filename]) {
    const from = createRequire(base);
    if (canResolve(from, "ts-node/register")) return ["-r", from.resolve("ts-node/register")];
  }
  throw new ProgramError(
    `${req.main} is TypeScript and ${req.projectDir} has no ts-node: run \`npm install --save-dev ts-node typescript\` there (the Pulumi CLI runs TypeScript programs with them too)`,
  );
}

function isTypeScript(main: string): boolean {
  if (/\.[cm]?tsx?$/.test(main)) return true;
  if (!fs.statSync(main).isDirectory()) return false;
  const pkgMain = readPackageMain(main);
  if (pkgMain) return /\.[cm]?tsx?$/.test(pkgMain);
  return fs.existsSync(path.join(main, "index.ts")) && !fs.existsSync(path.join(main, "index.js"));
}

function readPackageMain(dir: string): string | undefined {
  try {
    const main = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).main;
    return typeof main === "string" ? main : undefined;
  } catch {
    return undefined;
  }
}

function canResolve(from: NodeJS.Require, id: string): boolean {
  try {
    from.resolve(id);
    return true;
  } catch {
    return false;
  }
}

const HELM_HINT = "run `helm template … | crashguard lint -`";
const KUSTOMIZE_HINT = "run `kustomize build … | crashguard lint -`";

/**
 * Resources whose contents the Kubernetes provider renders at deploy time (it runs Helm or
 * kustomize, or expands YAML itself), so a preview under mocks sees the resource and none of what
 * is inside. Any other remote component is rendered by its provider too; see `renderedAtDeploy`.
 */
const RENDERED_BY_PROVIDER: ReadonlyMap<string, string> = new Map([
  ["kubernetes:helm.sh/v3:Chart", HELM_HINT],
  ["kubernetes:helm.sh/v4:Chart", HELM_HINT],
  ["kubernetes:helm.sh/v3:Release", HELM_HINT],
  ["kubernetes:kustomize:Directory", KUSTOMIZE_HINT],
  ["kubernetes:kustomize/v2:Directory", KUSTOMIZE_HINT],
  ["kubernetes:yaml/v2:ConfigFile", "run `crashguard lint` on its files"],
  ["kubernetes:yaml/v2:ConfigGroup", "run `crashguard lint` on its files"],
]);

function renderedAtDeploy(type: string, remote: boolean): string | undefined {
  return RENDERED_BY_PROVIDER.get(type) ?? (remote ? "render its manifests and run `crashguard lint` on them" : undefined);
}

/** Child side: run the program under mocks, write each resource it registers to RESOURCE_FD. */
async function childMain(arg: { main: string; errorFile: string }): Promise<void> {
  // The program must meet the very @pulumi/pulumi we set mocks on: its own copy when it has one.
  const fromProject = createRequire(path.join(process.cwd(), "package.json"));
  const resolve = (id: string): string => (canResolve(fromProject, id) ? fromProject.resolve(id) : require.resolve(id));
  const load = <T>(id: string): T => require(resolve(id)) as T;
  deferLoading(() => resolve("@pulumi/pulumi/runtime/closure/codePaths.js"), "@npmcli/arborist");
  // The SDK loads TypeScript (~48 MB) to serialise functions; a TypeScript program has its own, through ts-node.
  deferLoading(() => resolve("@pulumi/pulumi/package.json"), "./typescript-shim");
  const pulumi = load<typeof Pulumi>("@pulumi/pulumi");
  const settings = load<typeof import("@pulumi/pulumi/runtime/settings")>("@pulumi/pulumi/runtime/settings");
  const rpc = load<typeof import("@pulumi/pulumi/runtime/rpc")>("@pulumi/pulumi/runtime/rpc");
  const { runInPulumiStack } = load<typeof import("@pulumi/pulumi/runtime/stack")>("@pulumi/pulumi/runtime/stack");
  withoutRuntimeDebugging(pulumi, load<RuntimeDebuggable>("@pulumi/pulumi/runtime/debuggable"));
  // Wire messages must come from the google-protobuf copy that this @pulumi/pulumi resolves.
  const structPb = createRequire(resolve("@pulumi/pulumi/package.json"))("google-protobuf/google/protobuf/struct_pb") as StructClasses;
  const { Struct } = structPb;
  Struct.fromJavaScript = linearStructFromJavaScript(structPb);
  const { RegisterResourceResponse } = load<{ RegisterResourceResponse: new () => RegisterResponse }>("@pulumi/pulumi/proto/resource_pb");
  const registrations = watchRegistrations(load("@pulumi/pulumi/runtime/resource"));
  const send = (resource: CapturedResource) => writeLine(JSON.stringify(resource));
  const stackTransforms: Pulumi.ResourceTransform[] = [];
  await pulumi.runtime.setMocks(
    {
      // A preview knows a new resource's inputs and nothing it computes: echo inputs, no id. New
      // resources are answered below without the round trip; this answers reads (`opts.id`).
      newResource: (args) => ({ id: undefined, state: args.inputs }),
      call: (args) => providerFunction(args.token, args.inputs),
      registerTransform: (t) => stackTransforms.push(t),
    },
    process.env.PULUMI_NODEJS_PROJECT,
    process.env.PULUMI_NODEJS_STACK,
    true,
    // Self-managed backends call every stack's organization "organization"; the Cloud sets its own.
    process.env.PULUMI_ORGANIZATION || "organization",
  );
  const monitor = settings.getMonitor() as unknown as MockMonitor;
  // The engine accepts resource hooks (e.g. crashguard's rollout verification) and runs them only
  // on `up`; the mock monitor lacks the call, so accept them here as a preview would.
  monitor.registerResourceHook ??= (_req, cb) => cb(null, {});

  // Transform callbacks by token, and each resource's own transforms and parent by URN: the
  // engine runs a resource's transforms, then its parents' (nearest first), then the stack's
  // (https://github.com/pulumi/pulumi/blob/master/pkg/resource/deploy/source_eval.go, RegisterResource).
  const callbacks = new Map<string, Pulumi.ResourceTransform>();
  const recordCallback = monitor.recordTransformCallback.bind(monitor);
  monitor.recordTransformCallback = (token, transform) => {
    callbacks.set(token, transform);
    recordCallback(token, transform);
  };
  const ownTransforms = new Map<string, Pulumi.ResourceTransform[]>();
  const parents = new Map<string, string>();
  const transformsFor = (req: RegisterRequest): Pulumi.ResourceTransform[] => {
    const own = req.getTransformsList().flatMap((cb) => callbacks.get(cb.getToken()) ?? []);
    const inherited: Pulumi.ResourceTransform[] = [];
    for (let p = req.getParent(); p; p = parents.get(p) ?? "") inherited.push(...(ownTransforms.get(p) ?? []));
    return [...own, ...inherited, ...stackTransforms];
  };
  const applyTransforms = async (req: RegisterRequest, transforms: Pulumi.ResourceTransform[]): Promise<void> => {
    const object = req.getObject();
    if (!object || transforms.length === 0) return;
    let props = rpc.deserializeProperties(object as Parameters<typeof rpc.deserializeProperties>[0]);
    for (const transform of transforms) {
      const result = await transform({ type: req.getType(), name: req.getName(), custom: req.getCustom(), props, opts: {} });
      if (result) props = result.props;
    }
    req.setObject(Struct.fromJavaScript(await rpc.serializeProperties("props", props)));
  };

  // A new resource's outputs in a preview are its inputs, which the request already carries in wire
  // form: answer with them as they are. The mock monitor would decode them, call `newResource` and
  // encode its answer again — the same values, at a cost that grows with every resource.
  const tightenHeap = tightenHeapAtFirstRegistration();
  const register = (req: RegisterRequest, cb: (err: unknown, res?: RegisterResponse) => void): void => {
    tightenHeap();
    registrations.registered(req.getType(), req.getName());
    const urn = monitor.newUrn(req.getParent(), req.getType(), req.getName());
    const object = req.getObject() ?? new Struct();
    const properties = object.toJavaScript() as Record<string, unknown>;
    // What the mock monitor keeps of each resource, for `registerResourceOutputs` and reads by URN.
    monitor.resources.set(urn, { urn, id: null, state: properties });
    parents.set(urn, req.getParent());
    ownTransforms.set(
      urn,
      req.getTransformsList().flatMap((c) => callbacks.get(c.getToken()) ?? []),
    );
    send({
      type: req.getType(),
      name: req.getName(),
      urn,
      parent: req.getParent() || undefined,
      custom: req.getCustom(),
      properties,
      renderedAtDeploy: renderedAtDeploy(req.getType(), req.getRemote()),
    });
    const res = new RegisterResourceResponse();
    res.setUrn(urn);
    res.setObject(object);
    // The SDK puts the response in a debug line whether or not anything logs it; google-protobuf's
    // own toString would print the resource's every input (https://github.com/pulumi/pulumi/blob/master/sdk/nodejs/runtime/resource.ts).
    res.toString = () => `RegisterResourceResponse(${urn})`;
    cb(null, res);
  };
  monitor.registerResource = (req, cb) => {
    applyTransforms(req, transformsFor(req)).then(
      () => register(req, cb),
      (err) =>
        cb(new Error(`a transform of ${req.getType()} "${req.getName()}" failed: ${err instanceof Error ? err.message : String(err)}`)),
    );
  };

  let finished = false;
  // An exported promise that never settles empties the event loop and Node exits with code 0:
  // say so instead of reporting an empty preview.
  process.on("beforeExit", () => {
    if (!finished)
      fail(arg.errorFile, `${arg.main} never finished: its exported value or promise never settled, and nothing was left to wait for`);
  });
  await runInPulumiStack(async () => {
    const mod = require(arg.main);
    // `export = async () => {…}` and `export default async function` programs return their outputs.
    const entry = typeof mod === "function" ? mod : typeof mod?.default === "function" ? mod.default : undefined;
    return entry ? await entry() : mod;
  });
  finished = true;
  await settings.disconnect(); // waits for the registrations still in flight
  const lost = registrations.lost();
  if (lost.length > 0)
    fail(
      arg.errorFile,
      `the program declared ${lost.join(", ")}, but the Pulumi SDK never registered ${lost.length === 1 ? "it" : "them"}, so a preview would not show ${lost.length === 1 ? "it" : "them"} either`,
    );
  writeLine(FINISHED);
}

/**
 * Provider functions the Kubernetes SDK calls while a program runs. YAML is decoded here as the
 * provider would; Helm and kustomize run in the provider at deploy time, so they render nothing
 * here and their resources carry a warning instead.
 */
function providerFunction(token: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (token) {
    case "kubernetes:yaml:decode":
      return {
        result: parseAllDocuments(String(inputs.text ?? ""))
          .map((d) => d.toJS())
          .filter((o) => o !== null && typeof o === "object"),
      };
    case "kubernetes:helm:template":
    case "kubernetes:kustomize:directory":
      return { result: [] };
    default:
      return {};
  }
}

/** One line to the parent; a write to a pipe may take less than all it is given. */
function writeLine(text: string): void {
  const bytes = Buffer.from(`${text}\n`);
  for (let done = 0; done < bytes.length; ) done += fs.writeSync(RESOURCE_FD, bytes, done);
}

function fail(errorFile: string, message: string): never {
  fs.writeFileSync(errorFile, message);
  process.exit(2);
}

/** The parts of @pulumi/pulumi's MockMonitor (runtime/mocks.ts) the runner extends. */
interface MockMonitor {
  registerResource: (req: RegisterRequest, cb: (err: unknown, res?: RegisterResponse) => void) => unknown;
  registerResourceHook?: (req: unknown, cb: (err: unknown, res: unknown) => void) => void;
  recordTransformCallback: (token: string, transform: Pulumi.ResourceTransform) => void;
  newUrn(parent: string, type: string, name: string): string;
  resources: Map<string, { urn: string; id: string | null; state: unknown }>;
}

interface WireStruct {
  toJavaScript(): unknown;
}

interface RegisterResponse {
  setUrn(urn: string): void;
  setObject(object: WireStruct): void;
  toString(): string;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getRemote(): boolean;
  getObject(): WireStruct | undefined;
  setObject(value: WireStruct): void;
  getTransformsList(): Array<{ getToken(): string }>;
}

if (require.main === module) {
  const arg = JSON.parse(process.argv[2]);
  // The error goes to a file of its own, so a program that floods stderr cannot bury it.
  const onError = (err: unknown) => fail(arg.errorFile, err instanceof Error ? err.message : String(err));
  process.on("unhandledRejection", onError);
  process.on("uncaughtException", onError);
  childMain(arg).then(() => process.exit(0), onError);
}
