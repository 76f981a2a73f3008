/**
 * `crashguard lint`: the pack's rules on plain manifests — kubectl dumps, `helm template` and
 * `kustomize build` output — with the same config file and exemptions, and every finding at the
 * file:line:column of its field. This module is the command; the engine is lint-engine.ts, the
 * output lint-render.ts.
 */
import { join } from "node:path";
import type { Command } from "./main";
import { parseCommand } from "./args";
import { PolicyConfigError, readPolicyConfig, ruleSettings } from "./policy-config";
import { PACKAGE_ROOT } from "./package-root";
import { lintEach } from "./lint-engine";
import { jsonOutput, sarifOutput, textOutput } from "./lint-render";

export { lintFiles, type LintFinding, type LintReport } from "./lint-engine";

const USAGE = `usage: crashguard lint [FILE|DIR|-]... [--policy-pack-config FILE] [--output text|json|sarif]

Checks Kubernetes manifests (YAML or JSON, many documents per file, List objects; directories are
searched for *.yaml, *.yml and *.json; - reads stdin) with the policy pack's rules. The config file
is the one given to \`pulumi preview --policy-pack-config\`; exemption annotations apply as in the pack.
Exit 0: no mandatory finding; 1: mandatory findings; 2: bad usage, or input that could not be read
(reported per document; the rest is still linted, and mandatory findings still exit 1).`;

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
  const out =
    output === "json" ? jsonOutput(io.stdout) : output === "sarif" ? sarifOutput(io.stdout, packageVersion()) : textOutput(io.stdout);
  const report = lintEach(args.positionals, () => stdin, settings, out);
  out.end(report);
  if (output !== "json") for (const e of report.errors) io.stderr(`${e.file}${e.line ? `:${e.line}` : ""}: ${e.message}\n`);

  if (report.summary.errors > 0) return 1;
  return report.errors.length > 0 || report.summary.files === 0 ? 2 : 0;
};

/** Read only for SARIF, which names the tool's version: other runs start without it. */
const packageVersion = (): string => require(join(PACKAGE_ROOT, "package.json")).version;
