import { Finding } from "./types";

/** The one-paragraph text of a finding, as the pack reports it and `lint` prints it. */
export function formatFinding(f: Finding, options: { withResource?: boolean } = {}): string {
  const lines = [options.withResource ? `${f.resource}: ${f.message}` : f.message, `  field: ${f.path}`];
  if (f.fix) lines.push("  fix:", ...f.fix.split("\n").map((l) => `    ${l}`));
  return lines.join("\n");
}
