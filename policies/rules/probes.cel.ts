/** readiness-probe-required and liveness-probe-required as CEL: long-running containers (and, by default, restartable sidecars) carry the probe. */
import type { ProbeRequiredConfig } from "./types";
import type { RuleCel } from "./cel";
import { RULE_DEFAULTS, SUGGESTED_PROBE_TIMINGS } from "./defaults";

function probeRequiredCel(probe: "readinessProbe" | "livenessProbe", example: string): RuleCel<ProbeRequiredConfig> {
  return {
    containers: (config) =>
      (config.includeSidecars ?? RULE_DEFAULTS["readiness-probe-required"].includeSidecars)
        ? "variables.containers + variables.sidecars"
        : "variables.containers",
    applies: "variables.longRunning",
    violation: () => `!has(c.${probe})`,
    problem: `no ${probe}`,
    fix: () => {
      const { periodSeconds, timeoutSeconds } = SUGGESTED_PROBE_TIMINGS[probe];
      return `add a ${probe} to each, e.g. ${probe}: {httpGet: {path: ${example}, port: 8080}, periodSeconds: ${periodSeconds}, timeoutSeconds: ${timeoutSeconds}}`;
    },
  };
}

export const readinessProbeRequiredCel = probeRequiredCel("readinessProbe", "/ready");
export const livenessProbeRequiredCel = probeRequiredCel("livenessProbe", "/healthz");
