/** The registry: every rule, registered once, in the order findings are reported, and the rules that also run in-cluster as CEL. */
import { RULE_IDS, type Rule, type RuleConfigs, type RuleId } from "./types";
import { exemptionValid, specReadable } from "./readable";
import { resourcesRequired, resourceValuesValid } from "./resources";
import { livenessProbeRequired, probeSanity, readinessProbeRequired } from "./probes";
import { imagePinned } from "./image-pinned";
import type { RuleCel } from "./cel";
import { resourceValuesValidCel, resourcesRequiredCel } from "./resources.cel";
import { livenessProbeRequiredCel, readinessProbeRequiredCel } from "./probes.cel";

const BY_ID: { [K in RuleId]: Rule<K> } = {
  "spec-readable": specReadable,
  "resources-required": resourcesRequired,
  "resource-values-valid": resourceValuesValid,
  "readiness-probe-required": readinessProbeRequired,
  "liveness-probe-required": livenessProbeRequired,
  "probe-sanity": probeSanity,
  "image-pinned": imagePinned,
  "exemption-valid": exemptionValid,
};

/** Every rule, in the order findings are reported. */
export const RULES: readonly Rule[] = RULE_IDS.map((id) => BY_ID[id] as Rule);

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}

/** The rules that can be enforced in-cluster, each with its CEL (the admission-policy generator reads this). */
export const CEL_RULES: { [K in RuleId]?: RuleCel<RuleConfigs[K]> } = {
  "resources-required": resourcesRequiredCel,
  "resource-values-valid": resourceValuesValidCel,
  "readiness-probe-required": readinessProbeRequiredCel,
  "liveness-probe-required": livenessProbeRequiredCel,
};
