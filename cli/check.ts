/**
 * `crashguard check`: what `pulumi preview --policy-pack ./policies` would say about a program,
 * with no cloud account, no Pulumi CLI and no cluster. The program runs under mocks that answer
 * like a preview; every resource goes to the real policy pack over gRPC (Remediate, then Analyze,
 * then AnalyzeStack), exactly as the CLI sends it.
 */
import * as path from "node:path";
import type { Command } from "./main";
import { parseCommand } from "./args";
import { type Diagnostic, type EnforcementLevel, PolicyPackClient } from "./pack-client";
import { DEFAULT_TIMEOUT_MS, ProgramError, runProgram, type CapturedResource } from "./program-runner";
import { ProjectError, readProject } from "./pulumi-project";
import { PACKAGE_ROOT } from "./package-root";
import { PolicyConfigError, type PolicyConfigFile, type PolicyConfigValue, expandAll, readPolicyConfig } from "./policy-config";

const USAGE = `usage: crashguard check [PROJECT_DIR] [--stack NAME] [--policy-pack-config FILE] [--policy-pack DIR] [--timeout SECONDS] [--output text|json]

Runs the Pulumi program in PROJECT_DIR (default: .) under preview-like mocks, with its resource
and stack transforms, and sends every resource to the policy pack (default: crashguard's) as
\`pulumi preview --policy-pack\` would. Charts and other resources their provider renders at
deploy time are listed as not checked. The program is stopped after --timeout (default ${DEFAULT_TIMEOUT_MS / 1000}) seconds.
Exit 0: no mandatory violation; 1: mandatory violations; 2: bad usage, or the program failed.`;

const DEFAULT_PACK = path.join(PACKAGE_ROOT, "policies");

interface Report {
  project: string;
  stack: string;
  resources: Array<{ type: string; name: string; urn: string; parent?: string }>;
  remediations: Array<{ urn: string; policy: string }>;
  diagnostics: Array<{ urn: string; type: string; name: string; policy: string; level: EnforcementLevel; message: string }>;
  /** Resources whose contents are rendered at deploy time, so nothing inside them was checked. */
  notChecked: Array<{ urn: string; type: string; name: string; message: string }>;
  summary: { resources: number; mandatory: number; advisory: number; remediated: number; notChecked: number };
}

export const main: Command = async (argv, io) => {
  const args = parseCommand(
    "check",
    USAGE,
    argv,
    io,
    {
      stack: { type: "string", short: "s", default: "dev" },
      "policy-pack-config": { type: "string" },
      "policy-pack": { type: "string" },
      timeout: { type: "string" },
    },
    ["text", "json"],
  );
  if ("exit" in args) return args.exit;
  const output = args.output;
  if (args.positionals.length > 1) {
    io.stderr(`crashguard check: one project directory at most\n\n${USAGE}\n`);
    return 2;
  }
  const timeoutSeconds = Number(args.values.timeout ?? DEFAULT_TIMEOUT_MS / 1000);
  if (!(timeoutSeconds > 0 && timeoutSeconds <= MAX_TIMEOUT_SECONDS)) {
    io.stderr(
      `crashguard check: --timeout must be a number of seconds from 1 to ${MAX_TIMEOUT_SECONDS}, not ${JSON.stringify(args.values.timeout)}\n`,
    );
    return 2;
  }

  let report: Report;
  let pack: Promise<PolicyPackClient> | undefined;
  try {
    const project = readProject(path.resolve(args.positionals[0] ?? "."), args.values.stack!);
    const packConfig = args.values["policy-pack-config"] ? readPolicyConfig(args.values["policy-pack-config"]) : {};
    if (output === "text") io.stderr(`Previewing ${project.name}/${project.stack} under mocks (no cloud calls)…\n`);
    // The pack starts while the program runs, and each resource goes to it as soon as the program
    // has registered it: the program and the pack each take seconds.
    pack = PolicyPackClient.start(args.values["policy-pack"] ? path.resolve(args.values["policy-pack"]) : DEFAULT_PACK);
    const analysis = new Analysis(pack, packConfig);
    const run = await runProgram(
      {
        projectDir: project.dir,
        project: project.name,
        stack: project.stack,
        main: project.main,
        config: project.config,
        secretKeys: project.secretKeys,
      },
      { timeoutMs: timeoutSeconds * 1000, onResource: (r) => analysis.add(r) },
    );
    report = await analysis.finish(run.project, run.stack, run.resources);
  } catch (err) {
    const what =
      err instanceof ProgramError
        ? "the program failed"
        : err instanceof ProjectError
          ? "cannot read the project"
          : err instanceof PolicyConfigError
            ? "cannot read the policy config"
            : "error";
    io.stderr(`crashguard check: ${what}: ${(err as Error).message}\n`);
    return 2;
  } finally {
    await pack?.then(
      (p) => p.stop(),
      () => undefined,
    );
  }
  io.stdout(output === "json" ? JSON.stringify(report, null, 2) + "\n" : renderText(report));
  return report.summary.mandatory > 0 ? 1 : 0;
};

/**
 * Remediate then Analyze for each resource as it arrives, at most ANALYZE_CONCURRENCY in flight,
 * like the engine while a program registers; AnalyzeStack once the program has finished.
 */
class Analysis {
  private readonly ready: Promise<{ pack: PolicyPackClient; remediates: boolean }>;
  private readonly results: Array<Promise<Analyzed>> = [];
  private readonly slots = limit(ANALYZE_CONCURRENCY);

  constructor(pack: Promise<PolicyPackClient>, config: PolicyConfigFile) {
    this.ready = pack.then(async (pack) => {
      const info = await pack.info();
      const levels = expandAll(
        config,
        info.policies.map((p) => p.name),
      );
      await pack.configure(levels);
      // The policy SDK remediates with the policies at remediate level only (pulumi/pulumi-policy
      // server.ts, makeRemediateRpcFun); with none, every Remediate call comes back empty.
      return { pack, remediates: info.policies.some((p) => (levelOf(levels[p.name]) ?? p.enforcementLevel) === "remediate") };
    });
    this.ready.catch(() => undefined); // as below: reported by `finish`, unless the program fails first
  }

  add(resource: CapturedResource): void {
    const result = this.ready.then(({ pack, remediates }) => this.slots(() => analyzeOne(pack, remediates, resource)));
    result.catch(() => undefined); // if the program fails, that is the error to report; else `finish` reports this one
    this.results.push(result);
  }

  async finish(project: string, stack: string, resources: CapturedResource[]): Promise<Report> {
    const { pack } = await this.ready;
    const results = await Promise.all(this.results);
    const analyzed = results.map((r) => r.current);
    const remediations = results.flatMap((r) => r.remediated);
    const diagnostics = results.flatMap((r) => r.diagnostics);
    const byUrn = new Map(analyzed.map((r) => [r.urn, r]));
    for (const d of await pack.analyzeStack(analyzed)) diagnostics.push(toEntry(d, byUrn.get(d.urn)));
    const notChecked = resources.flatMap(({ urn, type, name, renderedAtDeploy }) =>
      renderedAtDeploy ? [{ urn, type, name, message: `contents rendered at deploy time, not checked; ${renderedAtDeploy}` }] : [],
    );
    return {
      project,
      stack,
      resources: resources.map(({ type, name, urn, parent }) => ({ type, name, urn, parent })),
      remediations,
      diagnostics,
      notChecked,
      summary: {
        resources: resources.length,
        mandatory: diagnostics.filter((d) => d.level === "mandatory").length,
        advisory: diagnostics.filter((d) => d.level === "advisory").length,
        remediated: new Set(remediations.map((r) => r.urn)).size,
        notChecked: notChecked.length,
      },
    };
  }
}

interface Analyzed {
  current: CapturedResource;
  remediated: Report["remediations"];
  diagnostics: Report["diagnostics"];
}

/** Like the engine: remediations rewrite the inputs first, then the result is validated. */
async function analyzeOne(pack: PolicyPackClient, remediates: boolean, resource: CapturedResource): Promise<Analyzed> {
  let properties = resource.properties;
  const remediated: Report["remediations"] = [];
  for (const r of remediates ? await pack.remediate(resource) : []) {
    remediated.push({ urn: resource.urn, policy: r.policyName });
    if (r.properties) properties = r.properties;
  }
  const current = { ...resource, properties };
  return { current, remediated, diagnostics: (await pack.analyze(current)).map((d) => toEntry(d, current)) };
}

function levelOf(value: PolicyConfigValue | undefined): EnforcementLevel | undefined {
  return typeof value === "string" ? value : value?.enforcementLevel;
}

const ANALYZE_CONCURRENCY = 16;
/** A day: far beyond any program, and within what Node's timers hold (2^31 - 1 ms). */
const MAX_TIMEOUT_SECONDS = 86_400;

/** Runs the tasks it is given with at most `n` in flight, in the order given. */
function limit(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    // A finished task hands its slot straight to the next one waiting, so none can slip in between.
    if (running < n) running++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

function toEntry(d: Diagnostic, r: CapturedResource | undefined): Report["diagnostics"][number] {
  return {
    urn: d.urn || r?.urn || "",
    type: r?.type ?? "",
    name: r?.name ?? "",
    policy: d.policyName,
    level: d.enforcementLevel,
    message: d.message,
  };
}

function renderText(report: Report): string {
  const lines: string[] = [`Previewed ${report.project}/${report.stack}: ${report.summary.resources} resources`, ""];
  const counts = new Map<string, number>();
  for (const r of report.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  const width = Math.max(...[...counts.values()].map((n) => String(n).length));
  for (const [type, n] of [...counts.entries()].sort((a, b) => a[0].localeCompare(b[0])))
    lines.push(`  ${String(n).padStart(width)}  ${type}`);
  if (report.remediations.length) {
    lines.push("", "Remediated:");
    for (const r of report.remediations) lines.push(`  ${r.policy}  ${r.urn.split("::").pop()}`);
  }
  if (report.diagnostics.length) {
    lines.push("", "Policy violations:");
    const byResource = new Map<string, Report["diagnostics"]>();
    for (const d of report.diagnostics) byResource.set(d.urn, [...(byResource.get(d.urn) ?? []), d]);
    for (const [, ds] of byResource) {
      lines.push("", `  ${ds[0].type} ${ds[0].name}`);
      for (const d of ds) {
        lines.push(`    [${d.level}] ${d.policy}`);
        lines.push(...d.message.split("\n").map((l) => `      ${l}`));
      }
    }
  }
  if (report.notChecked.length) {
    lines.push("", "Not checked:");
    for (const r of report.notChecked) lines.push(`  ⚠ ${r.type} ${r.name}: ${r.message}`);
  }
  const { mandatory, advisory, notChecked } = report.summary;
  const unchecked = notChecked
    ? ` ${notChecked} ${notChecked === 1 ? "resource" : "resources"} not checked (rendered at deploy time).`
    : "";
  lines.push(
    "",
    (mandatory > 0
      ? `✗ ${mandatory} mandatory and ${advisory} advisory violations: \`pulumi preview --policy-pack ./policies\` would fail.`
      : `✓ no mandatory violations${advisory ? ` (${advisory} advisory)` : ""}.`) + unchecked,
  );
  return lines.join("\n") + "\n";
}
