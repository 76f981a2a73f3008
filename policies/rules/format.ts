/**
 * The one renderer of a finding's text: the pack's violations (and so `crashguard check`), the
 * Workload's construction errors and `crashguard lint` all print a finding with it.
 */
import type { Finding } from "./types";

export interface FormatOptions {
  /** Start with the resource the finding is about. */
  withResource?: boolean;
  /** Indent of the field and fix lines under the message: two spaces, or none where a table aligns them already. */
  detailIndent?: string;
}

/** The message, the field path and the fix snippet of a finding, one paragraph. */
export function formatFinding(f: Finding, options: FormatOptions = {}): string {
  const indent = options.detailIndent ?? "  ";
  const head = `${options.withResource ? `${f.resource}: ${f.message}` : f.message}\n${indent}field: ${f.path}`;
  if (!f.fix) return head;
  const fixIndent = `${indent}  `;
  return `${head}\n${indent}fix:\n${fixIndent}${f.fix.replaceAll("\n", `\n${fixIndent}`)}`;
}
