/**
 * What a rollout gate records: the rollout it vouches for, as the data of a ConfigMap beside the
 * workload (components/rollout-gate.ts creates it; the verify hook in hook.ts reads it). The
 * record changes exactly when there is a new rollout to verify — a new generation, or a new object
 * (a replaced Deployment starts again at generation 1) — so the gate is updated, and its hook
 * runs, for every rollout and for nothing else.
 */
import type { WorkloadRef } from "./types";

export const GATE_TYPE = "kubernetes:core/v1:ConfigMap";

/** The rollout a gate vouches for. */
export interface GatedRollout extends WorkloadRef {
  uid: string;
  generation: number;
}

const KINDS: readonly WorkloadRef["kind"][] = ["Deployment", "StatefulSet", "DaemonSet"];
const FIELDS = ["kind", "namespace", "name", "uid", "generation"] as const;

/** ConfigMap data (string values only) naming the rollout. */
export function gateData(rollout: GatedRollout): Record<string, string> {
  return Object.fromEntries(FIELDS.map((f) => [f, String(rollout[f])]));
}

/**
 * The rollout named by a gate's inputs as the engine hands them to a hook. Throws, naming the
 * resource and the field, when the hook is bound to anything but a gate.
 */
export function readGate(urn: string, type: string, inputs: Record<string, unknown> | undefined): GatedRollout {
  if (type !== GATE_TYPE) {
    throw new Error(
      `crashguard verify hook: ${urn} is a ${type}; bind the hook as beforeCreate/beforeUpdate of a rolloutGate (crashguard/components), which names the rollout to verify`,
    );
  }
  const data = (inputs?.data ?? {}) as Record<string, unknown>;
  const missing = FIELDS.filter((f) => typeof data[f] !== "string" || data[f] === "");
  if (missing.length > 0)
    throw new Error(
      `crashguard verify hook: ${urn} has no ${missing.map((f) => `data.${f}`).join(", ")}; create the gate with rolloutGate()`,
    );
  const kind = data.kind as WorkloadRef["kind"];
  if (!KINDS.includes(kind))
    throw new Error(`crashguard verify hook: ${urn} data.kind is "${kind}"; a gate verifies a ${KINDS.join(", ")}`);
  const generation = Number(data.generation);
  if (!Number.isInteger(generation) || generation < 1)
    throw new Error(`crashguard verify hook: ${urn} data.generation is "${String(data.generation)}", not a positive integer`);
  return { kind, namespace: data.namespace as string, name: data.name as string, uid: data.uid as string, generation };
}
