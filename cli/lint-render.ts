/** How `crashguard lint` shows a report: aligned text by file, or SARIF for code-scanning tools. */
import type { InputError } from "./manifests";
import type { LintFinding, LintReport } from "./lint-engine";
import { toSarif } from "./sarif";
import { formatFinding } from "../policies/rules";

/** The report as SARIF 2.1.0, mandatory findings as errors, advisory ones as warnings. */
export function renderSarif(report: LintReport, version: string): string {
  return (
    JSON.stringify(
      toSarif(
        report.findings.map((f) => ({ ...f, level: f.level === "mandatory" ? "error" : "warning", message: messageWithFix(f) })),
        version,
      ),
      null,
      2,
    ) + "\n"
  );
}

function messageWithFix(f: LintFinding): string {
  return f.fix ? `${f.message}\nfix:\n${f.fix}` : f.message;
}

export function renderText(report: LintReport): string {
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
    lines.push(
      ...formatFinding(f, { detailIndent: "" })
        .split("\n")
        .map((l) => `${indent}${l}`),
    );
  }
  const s = report.summary;
  if (lines.length) lines.push("");
  lines.push(
    `${s.errors} error${s.errors === 1 ? "" : "s"}, ${s.warnings} warning${s.warnings === 1 ? "" : "s"} in ${s.workloads} workload${s.workloads === 1 ? "" : "s"} (${s.files} file${s.files === 1 ? "" : "s"})`,
  );
  if (report.errors.length) lines.push(`not linted, could not be read: ${unreadList(report.errors)}`);
  return lines.join("\n") + "\n";
}

/** The inputs that could not be read, by file:line, so the summary never reads as a clean pass. */
function unreadList(errors: InputError[]): string {
  const shown = [...new Set(errors.map((e) => `${e.file}${e.line ? `:${e.line}` : ""}`))];
  const MAX = 5;
  return shown.length <= MAX ? shown.join(", ") : `${shown.slice(0, MAX).join(", ")} and ${shown.length - MAX} more`;
}
