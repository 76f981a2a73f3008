/**
 * The lint engine: manifests in, findings at the file:line:column of their field out, with the
 * levels and configuration of the pack's policy config. Rendering is lint-render.ts's job.
 */
import * as path from "node:path";
import { type Finding, type Level, checkObject, isWorkloadType, podTemplates } from "../policies/rules";
import { describeValue } from "../policies/rules/read";
import { type InputError, type Manifest, expandInputs, parseManifests, readText } from "./manifests";
import type { ruleSettings } from "./policy-config";

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

export function lintFiles(inputs: string[], stdin: () => string, settings: ReturnType<typeof ruleSettings>): LintReport {
  const errors: InputError[] = [];
  const findings: LintFinding[] = [];
  const rules = Object.entries(settings.levels)
    .filter(([, level]) => level !== "disabled")
    .map(([id]) => id as Finding["rule"]);
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
  return {
    findings,
    errors,
    summary: { errors: mandatory, warnings: findings.length - mandatory, workloads, files: files.length, documents },
  };
}

/** List items kubectl could not decode (not an object, or without a kind): named like a bad document; the rest is linted. */
function reportUndecodableItems(manifest: Manifest, file: string, errors: InputError[]): void {
  const items = manifest.object.items;
  if (!Array.isArray(items)) return;
  items.forEach((item: unknown, i) => {
    const problem =
      item === null || typeof item !== "object" || Array.isArray(item)
        ? `is ${describeValue(item)}, not a Kubernetes object`
        : typeof (item as { kind?: unknown }).kind !== "string"
          ? "has no kind"
          : undefined;
    if (problem)
      errors.push({
        file,
        line: manifest.position(`items[${i}]`).line,
        message: `document ${manifest.index + 1} items[${i}] ${problem}; skipped`,
      });
  });
}
