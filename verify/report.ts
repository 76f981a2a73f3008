/**
 * Human text for a verdict or a set of pod diagnoses. The same text is the Error message the
 * resource hook throws, so it must read well without colour and never quote env values or
 * credentials (diagnoses never contain them; logs are the app's own output).
 */
import type { PodDiagnosis, Verdict } from "./types";

export interface Style {
  red: (s: string) => string;
  green: (s: string) => string;
  dim: (s: string) => string;
}

export const PLAIN: Style = { red: (s) => s, green: (s) => s, dim: (s) => s };
export const ANSI: Style = { red: (s) => `\x1b[31m${s}\x1b[0m`, green: (s) => `\x1b[32m${s}\x1b[0m`, dim: (s) => `\x1b[2m${s}\x1b[0m` };

/** A thousand pods failing alike read no better than ten. */
const RENDERED_PODS = 10;

export function renderVerdict(v: Verdict, style: Style = PLAIN): string {
  const w = v.workload;
  const title = `${w.kind} ${w.namespace}/${w.name}${w.generation !== undefined ? ` (generation ${w.generation})` : ""}`;
  const head =
    v.verdict === "succeeded"
      ? style.green(`✓ ${title}: rollout verified — ${v.message} (${v.elapsedSeconds}s)`)
      : style.red(`✗ ${title}: rollout failed after ${v.elapsedSeconds}s — ${v.message}`);
  const shown = v.pods.slice(0, RENDERED_PODS).map((d) => renderPod(d, style));
  const more = v.pods.length - shown.length;
  return [head, ...shown, ...(more > 0 ? [`  … and ${more} more pods (all of them in --output json)`] : []), ""].join("\n");
}

export function renderPod(d: PodDiagnosis, style: Style = PLAIN): string {
  const lines = [`  pod ${d.pod}  ${d.phase}  ready=${d.ready}  restarts=${d.restarts}${d.terminating ? "  terminating" : ""}`];
  if (d.podFailure)
    lines.push(
      `    ${style.red(d.podFailure.message)}${d.podFailure.since ? ` (since ${d.podFailure.since})` : ""}  [${d.podFailure.category}]`,
      `      fix: ${d.podFailure.fix.path}`,
      `           ${d.podFailure.fix.text}`,
    );
  for (const w of d.waiting ?? [])
    lines.push(`    waiting: ${w.message}${w.remainingSeconds !== undefined ? ` (fails in ${w.remainingSeconds}s if it lasts)` : ""}`);
  if (d.earlierRestarts)
    lines.push(
      `    ${d.earlierRestarts.count} earlier restart(s), last ${d.earlierRestarts.lastAt ?? "at an unknown time"} (${d.earlierRestarts.reason ?? "reason unknown"}), outside --since`,
    );
  for (const f of d.failures) {
    const code = f.exitCode !== undefined ? `  exit ${f.exitCode}${f.signal ? ` (${f.signal})` : ""}` : "";
    lines.push(
      `    container ${f.container}${f.init ? " (init)" : ""}  ${style.red(f.reason)}${code}  restarts=${f.restartCount}  [${f.category}]`,
    );
    lines.push(`      why: ${f.message}`);
    lines.push(`      fix: ${f.fix.path}`, `           ${f.fix.text}`);
    const logs = d.logs[f.container];
    if (logs?.length)
      lines.push(`      last ${logs.length} log lines (${f.logsFrom} container):`, ...logs.map((l) => style.dim(`        | ${l}`)));
  }
  if (d.events.length) {
    lines.push("    events:");
    for (const e of d.events)
      lines.push(`      ${e.type.padEnd(7)} ${e.reason.padEnd(16)} ${e.count > 1 ? `(x${e.count}) ` : ""}${e.message}`);
  }
  lines.push("    reproduce:", ...d.commands.map((c) => `      ${c}`));
  return lines.join("\n");
}
