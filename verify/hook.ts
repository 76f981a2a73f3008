/**
 * A Pulumi resource hook that verifies a Deployment, StatefulSet or DaemonSet right after
 * `pulumi up` creates or updates it, and fails the deployment with the diagnosis when the new
 * pods do not become healthy (Pulumi ≥ 3.238 fails the update when an after-hook throws).
 */
import * as pulumi from "@pulumi/pulumi";
import { renderVerdict } from "./report";
import { verifyRollout, type VerifyOptions } from "./rollout";
import type { WorkloadRef } from "./types";

export interface VerifyHookOptions extends Pick<VerifyOptions, "timeoutSeconds" | "stableForSeconds" | "unschedulableGraceSeconds" | "backoff"> {
  /** Hook name; unique per program. Default "crashguard-verify". */
  name?: string;
  /**
   * Kubeconfig text or file path, e.g. `AksCluster.kubeconfig` (an Output is awaited when the hook
   * runs, during `pulumi up`, and never printed). Default: `KUBECONFIG` / `~/.kube/config` of the
   * machine running `pulumi up`.
   */
  kubeconfig?: pulumi.Input<string>;
  context?: string;
}

const KINDS: Record<string, WorkloadRef["kind"]> = {
  "kubernetes:apps/v1:Deployment": "Deployment",
  "kubernetes:apps/v1:StatefulSet": "StatefulSet",
  "kubernetes:apps/v1:DaemonSet": "DaemonSet",
};

/**
 * Attach as `hooks: { afterCreate: [hook], afterUpdate: [hook] }` on the Deployment itself — a
 * hook on a component fires for the component only. Never runs during preview.
 */
export function verifyHook(options: VerifyHookOptions = {}): pulumi.ResourceHook {
  const kubeconfig = options.kubeconfig === undefined ? undefined : valueWhenKnown(options.kubeconfig);
  return new pulumi.ResourceHook(
    options.name ?? "crashguard-verify",
    async (args) => verifyHookBody(args, { ...options, kubeconfig: await kubeconfig }),
    { onDryRun: false },
  );
}

/** Resolves once the engine knows the value — on `up`, before any hook of a resource that uses it can run. */
function valueWhenKnown(input: pulumi.Input<string>): Promise<string> {
  return new Promise((resolve) => pulumi.output(input).apply((v) => {
    resolve(v);
    return v;
  }));
}

/** The hook's function, exported because `setMocks` never invokes hooks: tests call it directly. */
export async function verifyHookBody(args: pulumi.ResourceHookArgs, options: VerifyHookOptions & { kubeconfig?: string }): Promise<void> {
  const kind = KINDS[args.type];
  if (!kind) throw new Error(`crashguard verify hook: ${args.urn} is a ${args.type}; attach the hook to a Deployment, StatefulSet or DaemonSet`);
  const metadata = (args.newOutputs?.metadata ?? {}) as { name?: string; namespace?: string; generation?: number };
  if (!metadata.name) throw new Error(`crashguard verify hook: ${args.urn} has no metadata.name in its outputs`);
  const verdict = await verifyRollout({
    ...options,
    workload: { kind, namespace: metadata.namespace ?? "default", name: metadata.name },
    ...(typeof metadata.generation === "number" ? { expectedGeneration: metadata.generation } : {}),
  });
  if (verdict.verdict === "failed") throw new Error(renderVerdict(verdict));
  pulumi.log.info(renderVerdict(verdict).trim());
}

/**
 * Annotations the Workload component should put on the Deployment it creates with this hook.
 *
 * - `"verify"` (recommended with the hook): `pulumi.com/skipAwait: "true"`. pulumi-kubernetes
 *   otherwise waits for the rollout itself — up to 10 minutes — and only logs pod errors, so a
 *   crash-looping Deployment keeps `pulumi up` busy until that timeout before our after-hook even
 *   starts. Skipping the provider's await makes the create/update return at once; the hook then
 *   watches the rollout with restarts in view and fails within seconds of the first crash. The
 *   hook has its own timeout, so nothing waits unbounded.
 * - `"provider"`: no annotations; keep pulumi-kubernetes' await (for stacks without the hook).
 *
 * Trade-off of skipAwait: resources that depend on the Deployment no longer wait for its pods
 * to be ready through the provider — only as long as the hook takes, if the engine runs
 * after-hooks before starting dependents.
 */
export function awaitAnnotations(mode: "verify" | "provider"): Record<string, string> {
  return mode === "verify" ? { "pulumi.com/skipAwait": "true" } : {};
}
