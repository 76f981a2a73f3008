/**
 * Runs a CrossGuard policy pack and talks to it exactly as the Pulumi CLI does: spawn
 * `node <@pulumi/pulumi>/cmd/run-policy-pack <engine> <pack-dir>` with the pack directory as cwd,
 * read the port it prints, then call the Analyzer gRPC service with `@pulumi/pulumi/proto` stubs.
 * `crashguard check`, the tests and the benchmarks all use this one client.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import type * as AnalyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import { encodeAnalyzeRequest, encodeAnalyzeStackRequest } from "./analyzer-wire";

// Messages must be built with the very copies of the generated code and google-protobuf that
// @pulumi/pulumi resolves, or serialization fails on `instanceof` checks.
const pulumiRequire = createRequire(require.resolve("@pulumi/pulumi/package.json"));
const pb: typeof AnalyzerPb = pulumiRequire("./proto/analyzer_pb");
const rpc = pulumiRequire("./proto/analyzer_grpc_pb");
const structPb = pulumiRequire("google-protobuf/google/protobuf/struct_pb");
const emptyPb = pulumiRequire("google-protobuf/google/protobuf/empty_pb");

export type EnforcementLevel = "advisory" | "mandatory" | "disabled" | "remediate";
const LEVELS: EnforcementLevel[] = ["advisory", "mandatory", "disabled", "remediate"]; // proto enum order

export interface AnalyzedResource {
  type: string;
  name: string;
  urn: string;
  properties: Record<string, unknown>;
  parent?: string;
}

export interface Diagnostic {
  policyName: string;
  policyPackName: string;
  message: string;
  enforcementLevel: EnforcementLevel;
  urn: string;
  severity: number;
}

export interface PolicyInfo {
  name: string;
  description: string;
  enforcementLevel: EnforcementLevel;
  configSchema?: Record<string, unknown>;
}

export interface Remediation {
  policyName: string;
  properties?: Record<string, unknown>;
  diagnostic: string;
}

/** Pulumi's secret envelope on the wire: `{ [SECRET_SIG]: SECRET_VALUE_SIG, value }`. */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
export const SECRET_VALUE_SIG = "1b47061264138c4ac30d75fd1eb44270";

export class PolicyPackClient {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: grpc.Client & Record<string, (...args: any[]) => any>,
  ) {}

  /** The pack's process, whose CPU time the benches read. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Starts the pack in `packDir`; resolves once it is serving. */
  static async start(packDir: string, options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<PolicyPackClient> {
    const child = spawn(process.execPath, [policyPackRunner(packDir), "127.0.0.1:0", "."], {
      cwd: packDir,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const port = await readPort(child, options.timeoutMs ?? 60_000);
    const client = new rpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
      "grpc.max_receive_message_length": 400 * 1024 * 1024,
    });
    return new PolicyPackClient(child, client);
  }

  async info(): Promise<{ name: string; version: string; policies: PolicyInfo[] }> {
    const res: AnalyzerPb.AnalyzerInfo = await this.call("getAnalyzerInfo", new emptyPb.Empty());
    return {
      name: res.getName(),
      version: res.getVersion(),
      policies: res.getPoliciesList().map((p) => ({
        name: p.getName(),
        description: p.getDescription(),
        enforcementLevel: LEVELS[p.getEnforcementlevel()],
        configSchema: p.getConfigschema()?.getProperties()?.toJavaScript() as Record<string, unknown> | undefined,
      })),
    };
  }

  /** Per-policy config, as `--policy-pack-config` gives it: `{ policy: level | { enforcementLevel?, ...props } }`. */
  async configure(
    config: Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>,
  ): Promise<void> {
    const req = new pb.ConfigureAnalyzerRequest();
    const map = req.getPolicyconfigMap();
    for (const [policy, value] of Object.entries(config)) {
      const { enforcementLevel, ...props } = typeof value === "string" ? { enforcementLevel: value } : value;
      const pc = new pb.PolicyConfig();
      // Like the CLI, send the pack's default level when the config names none.
      pc.setEnforcementlevel(LEVELS.indexOf(enforcementLevel ?? (await this.defaultLevel(policy))) as AnalyzerPb.EnforcementLevel);
      pc.setProperties(structPb.Struct.fromJavaScript(props));
      map.set(policy, pc);
    }
    await this.call("configure", req);
  }

  async analyze(resource: AnalyzedResource): Promise<Diagnostic[]> {
    const res: AnalyzerPb.AnalyzeResponse = await this.callEncoded("analyze", encodeAnalyzeRequest(resource));
    return res.getDiagnosticsList().map(toDiagnostic);
  }

  async analyzeStack(resources: AnalyzedResource[]): Promise<Diagnostic[]> {
    const res: AnalyzerPb.AnalyzeResponse = await this.callEncoded("analyzeStack", encodeAnalyzeStackRequest(resources));
    return res.getDiagnosticsList().map(toDiagnostic);
  }

  async remediate(resource: AnalyzedResource): Promise<Remediation[]> {
    const res: AnalyzerPb.RemediateResponse = await this.callEncoded("remediate", encodeAnalyzeRequest(resource));
    return res.getRemediationsList().map((r) => ({
      policyName: r.getPolicyname(),
      properties: r.getProperties()?.toJavaScript() as Record<string, unknown> | undefined,
      diagnostic: r.getDiagnostic(),
    }));
  }

  /** Stops the pack process and closes the channel; safe to call twice. */
  async stop(): Promise<void> {
    this.client.close();
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.kill("SIGTERM");
    await exited;
  }

  private levels?: Map<string, EnforcementLevel>;
  private async defaultLevel(policy: string): Promise<EnforcementLevel> {
    this.levels ??= new Map((await this.info()).policies.map((p) => [p.name, p.enforcementLevel]));
    return this.levels.get(policy) ?? "advisory";
  }

  private call<T>(method: string, req: unknown): Promise<T> {
    return new Promise((resolve, reject) => this.client[method](req, settle(method, resolve, reject)));
  }

  /** A call whose request is already in wire form (./analyzer-wire); the response is decoded as usual. */
  private callEncoded<T>(method: "analyze" | "analyzeStack" | "remediate", bytes: Uint8Array): Promise<T> {
    const { path, responseDeserialize } = rpc.AnalyzerService[method];
    const asBuffer = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    return new Promise((resolve, reject) =>
      this.client.makeUnaryRequest(path, asBuffer, responseDeserialize, bytes, settle(method, resolve, reject)),
    );
  }
}

function settle<T>(method: string, resolve: (res: T) => void, reject: (err: Error) => void) {
  return (err: grpc.ServiceError | null, res?: T) =>
    err ? reject(new Error(`policy pack ${method} failed: ${err.details || err.message}`)) : resolve(res as T);
}

/**
 * `run-policy-pack` of the @pulumi/pulumi the pack itself resolves, as the Pulumi CLI runs it
 * (`node_modules/@pulumi/pulumi/cmd/run-policy-pack` from the pack directory); ours when the pack
 * resolves none.
 */
function policyPackRunner(packDir: string): string {
  const pkg = "@pulumi/pulumi/package.json";
  let pulumiPackage: string;
  try {
    pulumiPackage = createRequire(path.join(packDir, "package.json")).resolve(pkg);
  } catch {
    pulumiPackage = require.resolve(pkg);
  }
  return path.join(path.dirname(pulumiPackage), "cmd", "run-policy-pack");
}

function toDiagnostic(d: AnalyzerPb.AnalyzeDiagnostic): Diagnostic {
  return {
    policyName: d.getPolicyname(),
    policyPackName: d.getPolicypackname(),
    message: d.getMessage(),
    enforcementLevel: LEVELS[d.getEnforcementlevel()],
    urn: d.getUrn(),
    severity: d.getSeverity(),
  };
}

function readPort(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => fail(`did not print its port within ${timeoutMs / 1000}s`), timeoutMs);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`policy pack ${why}${err.trim() ? `:\n${err.trim()}` : ""}`));
    };
    child.stderr!.on("data", (d) => (err += d));
    child.stdout!.on("data", (d) => {
      out += d;
      const line = out.split("\n")[0];
      if (out.includes("\n") && /^\d+$/.test(line.trim())) {
        clearTimeout(timer);
        resolve(Number(line.trim()));
      }
    });
    child.once("exit", (code) => fail(`exited with code ${code} before serving`));
  });
}
