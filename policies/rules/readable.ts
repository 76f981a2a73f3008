/**
 * Rules about whether crashguard can read what it is given: spec-readable (the spec has the shape
 * the other rules read) and exemption-valid (the exemption annotation names known rules and a reason).
 */
import { type PodTemplate, RULE_IDS, type Rule } from "./types";
import { EXEMPT_ANNOTATION } from "./workload";
import { join } from "./read";
import { parseExemptions } from "./exemptions";
import { commonSchema } from "./schema";
import { RULE_DEFAULTS } from "./defaults";

export const specReadable: Rule<"spec-readable"> = {
  id: "spec-readable",
  title: "Workload spec can be read",
  description:
    "Containers are a list of objects and the fields the other rules read have the right shape; a spec the rules cannot read is a spec they cannot vouch for.",
  defaultLevel: "mandatory",
  severity: "high",
  defaults: RULE_DEFAULTS["spec-readable"],
  configSchema: { properties: commonSchema },
  check: (template) =>
    template.problems.map((p) => ({
      rule: "spec-readable",
      severity: "high",
      resource: template.resource,
      container: p.container,
      path: p.path,
      message: p.message,
    })),
};

export const exemptionValid: Rule<"exemption-valid"> = {
  id: "exemption-valid",
  title: "Exemptions name known rules and give a reason",
  description:
    'The crashguard.dev/exempt annotation reads "<rule-id>[,<rule-id>]: <reason>"; an exemption without a reason, or naming an unknown rule, is ignored and reported.',
  defaultLevel: "mandatory",
  severity: "medium",
  defaults: RULE_DEFAULTS["exemption-valid"],
  configSchema: { properties: commonSchema },
  check: (template) =>
    parseExemptions(template, RULE_IDS).problems.map((message) => ({
      rule: "exemption-valid",
      severity: "medium",
      resource: template.resource,
      path: annotationPath(template),
      message,
    })),
};

function annotationPath(template: PodTemplate): string {
  return join(join(join(template.path, "metadata"), "annotations"), EXEMPT_ANNOTATION);
}
