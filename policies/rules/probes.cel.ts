/** readiness-probe-required and liveness-probe-required as CEL: long-running containers (and, by default, restartable sidecars) carry the probe. */
import { ProbeRequiredConfig } from "./types";
import { RuleCel } from "./cel";
import { RULE_DEFAULTS } from "./defaults";

function probeRequiredCel(probe: "readinessProbe" | "livenessProbe", example: string): RuleCel<ProbeRequiredConfig> {
  return {
    containers: (config) => ((config.includeSidecars ?? RULE_DEFAULTS["readiness-probe-required"].includeSidecars) ? "variables.containers + variables.sidecars" : "variables.containers"),
    applies: "variables.longRunning",
    violation: () => `!has(c.${probe})`,
    problem: `no ${probe}`,
    fix: () => `add a ${probe} to each, e.g. ${probe}: {httpGet: {path: ${example}, port: 8080}, periodSeconds: 10, timeoutSeconds: 3}`,
  };
}

export const readinessProbeRequiredCel = probeRequiredCel("readinessProbe", "/ready");
export const livenessProbeRequiredCel = probeRequiredCel("livenessProbe", "/healthz");
