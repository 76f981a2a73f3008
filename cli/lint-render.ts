/**
 * How `crashguard lint` shows a report, streamed: findings are written as the engine hands them
 * over and only the summary waits for the end, so output of any length takes no memory to hold.
 * Aligned text by file, the JSON report (the same bytes `JSON.stringify(report, null, 2)` gives),
 * or SARIF for code-scanning tools.
 */
import type { InputError } from "./manifests";
import type { FindingSink, LintFinding, LintReport } from "./lint-engine";
import { sarifResult, toSarif } from "./sarif";
import { formatFinding } from "../policies/rules";

/** A lint's output: a sink for findings, then the end with what could not be read and the counts. */
export interface LintOutput extends FindingSink {
  end(result: Omit<LintReport, "findings">): void;
}

type Write = (text: string) => void;

/**
 * Findings a text block holds before it is written: a block is aligned on its widest position, so
 * it waits for its file's end, but never holds more than this (a List of thousands of workloads).
 */
const TEXT_BLOCK_MAX = 5000;

/** Text grouped by file; a file's block is written when the file is done, aligned on its widest position. */
export function textOutput(write: Write): LintOutput {
  let pending: LintFinding[] = [];
  let lastFile = "";
  const flush = () => {
    if (pending.length === 0) return;
    const file = pending[0].file;
    const header = file === lastFile ? "" : `${lastFile ? "\n" : ""}${file}\n`;
    write(`${header}${findingRows(pending).join("\n")}\n`);
    lastFile = file;
    pending = [];
  };
  return {
    findings: (found) => {
      for (const f of found) {
        pending.push(f);
        if (pending.length >= TEXT_BLOCK_MAX) flush();
      }
    },
    fileDone: flush,
    end: ({ errors, summary: s }) => {
      const lines = [
        `${s.errors} error${s.errors === 1 ? "" : "s"}, ${s.warnings} warning${s.warnings === 1 ? "" : "s"} in ${s.workloads} workload${s.workloads === 1 ? "" : "s"} (${s.files} file${s.files === 1 ? "" : "s"})`,
      ];
      if (errors.length) lines.push(`not linted, could not be read: ${unreadList(errors)}`);
      write(`${lastFile ? "\n" : ""}${lines.join("\n")}\n`);
    },
  };
}

function findingRows(findings: LintFinding[]): string[] {
  // The position column is as wide as the widest position, so five-digit lines keep their gap.
  const whereWidth = findings.reduce((widest, f) => Math.max(widest, `${f.line}:${f.column}`.length), 7) + 1;
  const indent = " ".repeat(2 + whereWidth + 9);
  return findings.flatMap((f) => {
    const where = `${f.line}:${f.column}`.padEnd(whereWidth);
    const level = (f.level === "mandatory" ? "error" : "warning").padEnd(9);
    return [
      `  ${where}${level}${f.rule.padEnd(26)}${f.resource}${f.container ? ` [${f.container}]` : ""}`,
      ...formatFinding(f, { detailIndent: "" })
        .split("\n")
        .map((l) => `${indent}${l}`),
    ];
  });
}

/** The inputs that could not be read, by file:line, so the summary never reads as a clean pass. */
function unreadList(errors: InputError[]): string {
  const shown = [...new Set(errors.map((e) => `${e.file}${e.line ? `:${e.line}` : ""}`))];
  const MAX = 5;
  return shown.length <= MAX ? shown.join(", ") : `${shown.slice(0, MAX).join(", ")} and ${shown.length - MAX} more`;
}

/** The JSON report `{ findings, errors, summary }`, its findings array written one finding at a time. */
export function jsonOutput(write: Write): LintOutput {
  const findings = streamedArray(write, '{\n  "findings": ', 1);
  return {
    findings: (found) => found.forEach(findings.item),
    fileDone: () => {},
    end: ({ errors, summary }) => {
      findings.close();
      write(`,\n  "errors": ${indented(errors, 1)},\n  "summary": ${indented(summary, 1)}\n}\n`);
    },
  };
}

/** SARIF 2.1.0, mandatory findings as errors, advisory ones as warnings, results written one at a time. */
export function sarifOutput(write: Write, version: string): LintOutput {
  const [head, tail] = JSON.stringify(toSarif([], version), null, 2).split('"results": []');
  const depth = (head.length - head.lastIndexOf("\n") - 1) / 2;
  const results = streamedArray(write, `${head}"results": `, depth);
  return {
    findings: (found) => {
      for (const f of found)
        results.item(sarifResult({ ...f, level: f.level === "mandatory" ? "error" : "warning", message: messageWithFix(f) }));
    },
    fileDone: () => {},
    end: () => {
      results.close();
      write(`${tail}\n`);
    },
  };
}

function messageWithFix(f: LintFinding): string {
  return f.fix ? `${f.message}\nfix:\n${f.fix}` : f.message;
}

/** A JSON array at `depth` (in two-space steps) inside a document written by JSON.stringify(…, null, 2). */
function streamedArray(write: Write, before: string, depth: number): { item(value: unknown): void; close(): void } {
  let count = 0;
  write(`${before}[`);
  return {
    item: (value) => write(`${count++ ? "," : ""}\n${"  ".repeat(depth + 1)}${indented(value, depth + 1)}`),
    close: () => write(count ? `\n${"  ".repeat(depth)}]` : "]"),
  };
}

/** JSON of a value nested `depth` levels deep: JSON strings hold no raw newline, so every newline is layout. */
function indented(value: unknown, depth: number): string {
  return JSON.stringify(value, null, 2).replaceAll("\n", `\n${"  ".repeat(depth)}`);
}
