/**
 * The lint engine: manifests in, findings at the file:line:column of their field out, with the
 * levels and configuration of the pack's policy config. Rendering is lint-render.ts's job.
 */
import { relative } from "node:path";
import {
  type Finding,
  type Level,
  type PodTemplate,
  RULES,
  checkObject,
  checkTemplate,
  isWorkloadType,
  podTemplates,
} from "../policies/rules";
import { describeValue } from "../policies/rules/read";
import { type InputError, type Manifest, expandInputs, parseManifests, readText } from "./manifests";
import type { ruleSettings } from "./policy-config";

export interface LintFinding extends Finding {
  file: string;
  line: number;
  column: number;
  level: Exclude<Level, "disabled" | "remediate">;
}

export interface LintSummary {
  /** Mandatory findings. */
  errors: number;
  /** Advisory findings. */
  warnings: number;
  workloads: number;
  files: number;
  documents: number;
}

export interface LintReport {
  findings: LintFinding[];
  errors: InputError[];
  summary: LintSummary;
}

/** Where a streamed lint hands its findings: each pod template's as soon as they are known, then the end of each file. */
export interface FindingSink {
  findings(found: LintFinding[]): void;
  fileDone(file: string): void;
}

/**
 * Lints the inputs one pod template at a time, handing its findings to `sink` and keeping only the
 * counts: memory follows the largest document, not the input or the findings.
 */
export function lintEach(
  inputs: string[],
  stdin: () => string,
  settings: ReturnType<typeof ruleSettings>,
  sink: FindingSink,
): Omit<LintReport, "findings"> {
  const errors: InputError[] = [];
  const rules = RULES.filter((r) => settings.levels[r.id] !== "disabled");
  const summary: LintSummary = { errors: 0, warnings: 0, workloads: 0, files: 0, documents: 0 };
  const files = expandInputs(inputs, errors);
  summary.files = files.length;
  for (const file of files) {
    const text = readText(file, stdin, errors);
    if (text === undefined) continue;
    const shown = file === "-" ? "<stdin>" : relative(process.cwd(), file) || file;
    const report = (manifest: Manifest, findings: Finding[]) => {
      if (findings.length === 0) return;
      const found = findings.map((f): LintFinding => {
        const level = settings.levels[f.rule] === "advisory" ? "advisory" : "mandatory"; // remediate reports as mandatory, as in the pack
        return { ...f, file: shown, ...manifest.position(f.path), level };
      });
      for (const f of found) summary[f.level === "mandatory" ? "errors" : "warnings"]++;
      sink.findings(found);
    };
    for (const manifest of parseManifests(shown, text, errors)) {
      summary.documents++;
      const kind = manifest.object.kind;
      if (typeof kind === "string" && kind.endsWith("List")) reportUndecodableItems(manifest, shown, errors);
      if (typeof kind !== "string" || !isWorkloadType(kind)) continue;
      let templates: PodTemplate[];
      try {
        templates = podTemplates(manifest.object);
      } catch {
        report(manifest, checkObject(manifest.object)); // the rule core's own "cannot read" finding
        continue;
      }
      summary.workloads += templates.length;
      // One pod template at a time, as checkObject runs them: a List of thousands hands its findings on as it goes.
      for (const template of templates) report(manifest, checkTemplate(template, rules, settings.configs));
    }
    sink.fileDone(shown);
  }
  return { errors, summary };
}

/** The whole report in memory: for callers that want every finding as a value (tests, the corpus pin). */
export function lintFiles(inputs: string[], stdin: () => string, settings: ReturnType<typeof ruleSettings>): LintReport {
  const findings: LintFinding[] = [];
  const collect = (found: LintFinding[]) => {
    for (const f of found) findings.push(f); // a loop: spreading a huge array overflows the call stack
  };
  const { errors, summary } = lintEach(inputs, stdin, settings, { findings: collect, fileDone: () => {} });
  return { findings, errors, summary };
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
