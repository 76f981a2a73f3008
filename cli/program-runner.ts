/**
 * Runs a Pulumi TypeScript/JavaScript program the way `pulumi preview` would, but against
 * `pulumi.runtime.setMocks` instead of an engine: every resource registration is captured as the
 * engine would see it — type, name, URN, parent and its inputs in wire form (unknowns as Pulumi's
 * sentinels, secrets in their envelopes) — ready to hand to a policy pack.
 *
 * It runs in a child process of its own (`runProgram` spawns this file), because the Pulumi
 * runtime is process-global and a user program may do anything to its process.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import { createRequire } from "module";
import * as os from "os";
import * as path from "path";
import type { AnalyzedResource } from "./pack-client";

export interface CapturedResource extends AnalyzedResource {
  custom: boolean;
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

export async function runProgram(req: RunRequest, options: { timeoutMs?: number } = {}): Promise<ProgramRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crashguard-check-"));
  const out = path.join(dir, "resources.json");
  const env = {
    ...process.env,
    PULUMI_NODEJS_PROJECT: req.project,
    PULUMI_NODEJS_STACK: req.stack,
    PULUMI_CONFIG: JSON.stringify(req.config),
    PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(req.secretKeys),
    TS_NODE_TRANSPILE_ONLY: "true",
    TS_NODE_SWC: "true",
    // The program runs as CommonJS whatever its tsconfig targets, like `pulumi` itself runs it.
    TS_NODE_COMPILER_OPTIONS: JSON.stringify({ module: "commonjs", moduleResolution: "node" }),
  };
  try {
    const child = spawn(process.execPath, ["-r", require.resolve("ts-node/register"), __filename, JSON.stringify({ main: req.main, out })], {
      cwd: req.projectDir, env, stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stdout.on("data", () => undefined); // the program's own console output is not ours to print
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
    const code: number | null = await new Promise((resolve) => child.on("exit", resolve));
    clearTimeout(timer);
    if (code !== 0 || !fs.existsSync(out)) {
      const reported = stderr.match(/^crashguard-program-error: ([\s\S]*)$/m)?.[1]?.trim();
      throw new ProgramError(reported ?? `the program exited with code ${code}${stderr.trim() ? `:\n${stderr.trim().split("\n").slice(-15).join("\n")}` : ""}`);
    }
    return { project: req.project, stack: req.stack, resources: JSON.parse(fs.readFileSync(out, "utf8")) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Child side: run the program under mocks, write what it registered to `out`. */
async function childMain(arg: { main: string; out: string }): Promise<void> {
  // The program must meet the very @pulumi/pulumi we set mocks on: its own copy when it has one.
  const fromProject = createRequire(path.join(process.cwd(), "package.json"));
  const load = <T>(id: string): T => {
    try {
      return fromProject(id) as T;
    } catch {
      return require(id) as T;
    }
  };
  const pulumi = load<typeof import("@pulumi/pulumi")>("@pulumi/pulumi");
  const settings = load<typeof import("@pulumi/pulumi/runtime/settings")>("@pulumi/pulumi/runtime/settings");
  const { runInPulumiStack } = load<typeof import("@pulumi/pulumi/runtime/stack")>("@pulumi/pulumi/runtime/stack");
  const captured: CapturedResource[] = [];
  await pulumi.runtime.setMocks(
    {
      // A preview knows a new resource's inputs and nothing it computes: echo inputs, no id.
      newResource: (args) => ({ id: undefined, state: args.inputs }),
      call: () => ({}),
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
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) =>
    register(req, (err, res) => {
      if (!err && res) {
        captured.push({
          type: req.getType(), name: req.getName(), urn: res.getUrn(), parent: req.getParent() || undefined, custom: req.getCustom(),
          properties: (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
        });
      }
      cb(err, res);
    });
  await runInPulumiStack(async () => {
    const mod = require(arg.main);
    // `export = async () => {…}` and `export default async function` programs return their outputs.
    const entry = typeof mod === "function" ? mod : typeof mod?.default === "function" ? mod.default : undefined;
    return entry ? await entry() : mod;
  });
  await settings.disconnect();
  fs.writeFileSync(arg.out, JSON.stringify(captured));
}

interface MockMonitor {
  registerResource: (req: RegisterRequest, cb: (err: unknown, res?: { getUrn(): string }) => void) => unknown;
  registerResourceHook?: (req: unknown, cb: (err: unknown, res: unknown) => void) => void;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getObject(): { toJavaScript(): unknown } | undefined;
}

if (require.main === module) {
  const fail = (err: unknown) => {
    process.stderr.write(`crashguard-program-error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  };
  process.on("unhandledRejection", fail);
  childMain(JSON.parse(process.argv[2])).then(() => process.exit(0), fail);
}
