/**
 * `rolloutGate`: the resource `pulumi up` gets past only once a rollout is verified healthy.
 *
 * A small ConfigMap beside the workload, registered after it, whose data names the rollout (kind,
 * namespace, name, uid, generation). crashguard's verify hook runs before the gate is created or
 * updated, and its failure fails that step — and so `pulumi up` — on every CLI from 3.182. A gate
 * whose step failed is not in the state at the rollout it names, so the next `pulumi up` creates
 * or updates it again and verifies again, even when nothing else changed. Where the engine's
 * semantics come from is cited in verify/hook.ts.
 *
 * Depend on the gate (or on a Workload, whose children include it) for anything that needs the
 * new pods healthy: the workload itself, with `pulumi.com/skipAwait`, no longer waits for them.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { DaemonSet, Deployment, StatefulSet } from "@pulumi/kubernetes/apps/v1";
import { ConfigMap } from "@pulumi/kubernetes/core/v1";
import { type GatedRollout, gateData } from "../verify/gate";
import { verifyHook, type VerifyHookOptions } from "../verify/hook";

export interface RolloutGateArgs extends Omit<VerifyHookOptions, "name"> {
  /**
   * The workload whose rollouts the gate verifies. Give it `awaitAnnotations("verify")` so the
   * provider does not wait up to 10 minutes before the gate's faster, stricter check begins.
   */
  workload: Deployment | StatefulSet | DaemonSet;
}

/**
 * Creates the gate `<name>-rollout-gate` in the workload's namespace; `opts` are its resource
 * options (give it the workload's provider, or a parent that has it).
 */
export function rolloutGate(name: string, args: RolloutGateArgs, opts: pulumi.CustomResourceOptions = {}): ConfigMap {
  const { workload, ...hookOptions } = args;
  const hook = verifyHook({ ...hookOptions, name: `crashguard-verify-${name}` });
  const metadata = workload.metadata;
  return new ConfigMap(
    `${name}-rollout-gate`,
    {
      // No metadata.name: pulumi-kubernetes replaces a ConfigMap whose data changes, creating the
      // new one before deleting the old (pulumi/pulumi-kubernetes#1567; updated in place only with
      // the provider's enableConfigMapMutable, #1926), which only an auto-generated name allows.
      // Either way the hook runs: it is bound before create and before update.
      metadata: {
        namespace: metadata.namespace,
        labels: { "app.kubernetes.io/managed-by": "crashguard", "app.kubernetes.io/component": "rollout-gate" },
      },
      // Nested applies rather than `pulumi.all`, which walks the whole metadata object once resolved.
      data: (workload.kind as pulumi.Output<GatedRollout["kind"]>).apply((kind) =>
        metadata.apply((m) => gateData({ kind, namespace: m.namespace ?? "default", name: m.name, uid: m.uid, generation: m.generation })),
      ),
    },
    {
      ...opts,
      hooks: {
        ...opts.hooks,
        beforeCreate: [...(opts.hooks?.beforeCreate ?? []), hook],
        beforeUpdate: [...(opts.hooks?.beforeUpdate ?? []), hook],
      },
    },
  );
}
