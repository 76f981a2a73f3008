/**
 * `crashguard lint`: the pack's rules on plain manifests — kubectl dumps, `helm template` and
 * `kustomize build` output — with the same config file and exemptions, and every finding at the
 * file:line:column of its field.
 */
import * as path from "path";
import type { Command } from "./main";
import { parseCommand } from "./args";
import { Finding, Level, checkObject, isWorkloadType, podTemplates } from "../policies/rules";
import { describeValue } from "../policies/rules/read";
import { InputError, Manifest, expandInputs, parseManifests, readText } from "./manifests";
import { PolicyConfigError, readPolicyConfig, ruleSettings } from "./policy-config";
import { toSarif } from "./sarif";
import { PACKAGE_ROOT } from "./package-root";

const USAGE = `usage: crashguard lint [FILE|DIR|-]... [--policy-pack-config FILE] [--output text|json|sarif]

Checks Kubernetes manifests (YAML or JSON, many documents per file, List objects; directories are
searched for *.yaml, *.yml and *.json; - reads stdin) with the policy pack's rules. The config file
is the one given to \`pulumi preview --policy-pack-config\`; exemption annotations apply as in the pack.
Exit 0: no mandatory finding; 1: mandatory findings; 2: bad usage, or input that could not be read
(reported per document; the rest is still linted, and mandatory findings still exit 1).`;

export interface LintFinding extends Finding {
  file: string;
  line: number;
  column: number;
  level: Exclude<Level, "disabled" | "remediate">;
}

export interface LintReport {
  findings: LintFinding[];
  errors: InputError[];
  summary: { errors: number; warnings: number; workloads: number; files: number; documents: number };
}

export const main: Command = async (argv, io) => {
  const args = parseCommand("lint", USAGE, argv, io, { "policy-pack-config": { type: "string" } }, ["text", "json", "sarif"]);
  if ("exit" in args) return args.exit;
  const output = args.output;
  if (args.positionals.length === 0) {
    io.stderr(`crashguard lint: name the manifests to lint (files, directories, or - for stdin)\n\n${USAGE}\n`);
    return 2;
  }
  let settings;
  try {
    settings = ruleSettings(args.values["policy-pack-config"] ? readPolicyConfig(args.values["policy-pack-config"]) : {});
  } catch (err) {
    if (!(err instanceof PolicyConfigError)) throw err;
    io.stderr(`crashguard lint: cannot read the policy config: ${err.message}\n`);
    return 2;
  }
  const stdin = args.positionals.includes("-") ? await io.readStdin() : "";
  const report = lintFiles(args.positionals, () => stdin, settings);

  if (output === "json") io.stdout(JSON.stringify(report, null, 2) + "\n");
  else if (output === "sarif") io.stdout(JSON.stringify(toSarif(report.findings.map((f) => ({ ...f, level: f.level === "mandatory" ? "error" : "warning", message: messageWithFix(f) })), VERSION), null, 2) + "\n");
  else io.stdout(renderText(report));
  if (output !== "json") for (const e of report.errors) io.stderr(`${e.file}${e.line ? `:${e.line}` : ""}: ${e.message}\n`);

  if (report.summary.errors > 0) return 1;
  return report.errors.length > 0 || report.summary.files === 0 ? 2 : 0;
};

const VERSION: string = require(path.join(PACKAGE_ROOT, "package.json")).version;

export function lintFiles(inputs: string[], stdin: () => string, settings: ReturnType<typeof ruleSettings>): LintReport {
  const errors: InputError[] = [];
  const findings: LintFinding[] = [];
  const rules = Object.entries(settings.levels).filter(([, level]) => level !== "disabled").map(([id]) => id as Finding["rule"]);
  let workloads = 0;
  let documents = 0;
  const files = expandInputs(inputs, errors);
  for (const file of files) {
    const text = readText(file, stdin, errors);
    if (text === undefined) continue;
    const shown = file === "-" ? "<stdin>" : path.relative(process.cwd(), file) || file;
    for (const manifest of parseManifests(shown, text, errors)) {
      documents++;
      const kind = manifest.object.kind;
      if (typeof kind === "string" && kind.endsWith("List")) reportUndecodableItems(manifest, shown, errors);
      if (typeof kind !== "string" || !isWorkloadType(kind)) continue;
      workloads += podTemplates(manifest.object).length;
      for (const f of checkObject(manifest.object, { rules, config: settings.configs })) {
        const level = settings.levels[f.rule] === "advisory" ? "advisory" : "mandatory"; // remediate reports as mandatory, as in the pack
        findings.push({ ...f, file: shown, ...manifest.position(f.path), level });
      }
    }
  }
  const mandatory = findings.filter((f) => f.level === "mandatory").length;
  return { findings, errors, summary: { errors: mandatory, warnings: findings.length - mandatory, workloads, files: files.length, documents } };
}

/** List items kubectl could not decode (not an object, or without a kind): named like a bad document; the rest is linted. */
function reportUndecodableItems(manifest: Manifest, file: string, errors: InputError[]): void {
  const items = manifest.object.items;
  if (!Array.isArray(items)) return;
  items.forEach((item: unknown, i) => {
    const problem = item === null || typeof item !== "object" || Array.isArray(item) ? `is ${describeValue(item)}, not a Kubernetes object` : typeof (item as { kind?: unknown }).kind !== "string" ? "has no kind" : undefined;
    if (problem) errors.push({ file, line: manifest.position(`items[${i}]`).line, message: `document ${manifest.index + 1} items[${i}] ${problem}; skipped` });
  });
}

function messageWithFix(f: LintFinding): string {
  return f.fix ? `${f.message}\nfix:\n${f.fix}` : f.message;
}

function renderText(report: LintReport): string {
  const lines: string[] = [];
  let lastFile = "";
  // The position column is as wide as the widest position, so five-digit lines keep their gap.
  const whereWidth = Math.max(7, ...report.findings.map((f) => `${f.line}:${f.column}`.length)) + 1;
  const indent = " ".repeat(2 + whereWidth + 9);
  for (const f of report.findings) {
    if (f.file !== lastFile) {
      if (lastFile) lines.push("");
      lines.push(f.file);
      lastFile = f.file;
    }
    const where = `${f.line}:${f.column}`.padEnd(whereWidth);
    const level = (f.level === "mandatory" ? "error" : "warning").padEnd(9);
    lines.push(`  ${where}${level}${f.rule.padEnd(26)}${f.resource}${f.container ? ` [${f.container}]` : ""}`);
    lines.push(`${indent}${f.message}`);
    lines.push(`${indent}field: ${f.path}`);
    if (f.fix) lines.push(`${indent}fix:`, ...f.fix.split("\n").map((l) => `${indent}  ${l}`));
  }
  const s = report.summary;
  if (lines.length) lines.push("");
  lines.push(`${s.errors} error${s.errors === 1 ? "" : "s"}, ${s.warnings} warning${s.warnings === 1 ? "" : "s"} in ${s.workloads} workload${s.workloads === 1 ? "" : "s"} (${s.files} file${s.files === 1 ? "" : "s"})`);
  if (report.errors.length) lines.push(`not linted, could not be read: ${unreadList(report.errors)}`);
  return lines.join("\n") + "\n";
}

/** The inputs that could not be read, by file:line, so the summary never reads as a clean pass. */
function unreadList(errors: InputError[]): string {
  const shown = [...new Set(errors.map((e) => `${e.file}${e.line ? `:${e.line}` : ""}`))];
  const MAX = 5;
  return shown.length <= MAX ? shown.join(", ") : `${shown.slice(0, MAX).join(", ")} and ${shown.length - MAX} more`;
}
