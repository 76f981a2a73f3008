/** SARIF 2.1.0, the format GitHub code scanning reads: one run, crashguard's rules as the tool's rules. */
import { RULES } from "../policies/rules";

export interface SarifResult {
  rule: string;
  level: "error" | "warning";
  message: string;
  file: string;
  line: number;
  column: number;
}

export function toSarif(results: SarifResult[], version: string): object {
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "crashguard",
            version,
            informationUri: "https://github.com/crashguard/crashguard",
            rules: RULES.map((r) => ({
              id: r.id,
              name: r.id,
              shortDescription: { text: r.title },
              fullDescription: { text: r.description },
              defaultConfiguration: { level: r.defaultLevel === "mandatory" ? "error" : "warning" },
            })),
          },
        },
        results: results.map(sarifResult),
      },
    ],
  };
}

/** One result of a run, as {@link toSarif} lists it. */
export function sarifResult(r: SarifResult): object {
  return {
    ruleId: r.rule,
    level: r.level,
    message: { text: r.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: r.file.split("\\").join("/") },
          region: { startLine: r.line, startColumn: r.column },
        },
      },
    ],
  };
}
