/**
 * The Pulumi resource hook that verifies a rollout during `pulumi up`. It is bound *before* the
 * create and update of a rollout gate (components/rollout-gate.ts) — a ConfigMap registered after
 * the Deployment, StatefulSet or DaemonSet, naming the rollout it vouches for — and never as an
 * after-hook of the workload itself. Why, from the engine's source (https://github.com/pulumi/pulumi,
 * pkg/resource/deploy at the tags named):
 *
 * - An after-hook cannot fail `pulumi up` on every engine. deployment.go `RunHooks`, v3.182.0 to
 *   v3.237.0: "Errors on after hooks report a diagnostic, but do not fail the step" — a warning,
 *   and exit 0. From v3.238.0 (pulumi/pulumi#22935) step.go records the error, yet still commits
 *   the workload to state as created, so the next `pulumi up` with no diff is a Same step and
 *   runs no hook: the crash-looping rollout passes (pulumi/pulumi#21899).
 * - A before-hook's error fails its step on every engine that runs hooks (deployment.go `RunHooks`
 *   since v3.182.0: "before hook %q failed"; step.go `CreateStep.Apply`/`UpdateStep.Apply` return
 *   it before calling the provider; step_executor.go turns it into StepApplyFailed).
 * - A failed create is never added to the state and a failed update keeps the old state
 *   (pkg/backend/snapshot.go, `createSnapshotMutation.End` and `updateSnapshotMutation.End` mark
 *   the new state only when the step succeeded). So the gate is created or updated again on the
 *   next `pulumi up`, diff or no diff, and its hook verifies again — until the rollout passes.
 * - Before CLI 3.182 the Node SDK refuses to register any hook ("The Pulumi CLI does not support
 *   resource hooks", @pulumi/pulumi runtime/resource.ts `registerResourceHook`): the program fails.
 * - An error-level log instead would not change the program's exit code: the SDK's program
 *   runner (@pulumi/pulumi cmd/run/index.ts) sets it from uncaught errors only.
 *
 * The engine puts no timeout on hooks and `pulumi up` waits for them, so the hook keeps its own
 * deadline around everything it does.
 */
import * as pulumi from "@pulumi/pulumi";
import { readGate } from "./gate";
import { renderVerdict } from "./report";
import { DEFAULT_TIMEOUT_SECONDS, verifyRollout, type VerifyOptions } from "./rollout";

export interface VerifyHookOptions
  extends Pick<VerifyOptions, "timeoutSeconds" | "stableForSeconds" | "unschedulableGraceSeconds" | "backoff"> {
  /** Hook name; unique per program. @default "crashguard-verify" */
  name?: string;
  /**
   * Kubeconfig text or file path, e.g. `AksCluster.kubeconfig` (an Output is awaited when the hook
   * runs, during `pulumi up`, and never printed).
   * @default `KUBECONFIG` / `~/.kube/config` of the machine running `pulumi up`
   */
  kubeconfig?: pulumi.Input<string>;
  context?: string;
  /**
   * The longest the hook may run, whatever happens: credential plugins, an API server that accepts
   * connections and never answers, the diagnosis after the verdict.
   * @default `timeoutSeconds` (the wait for healthy pods) plus {@link DEADLINE_GRACE_SECONDS}
   */
  deadlineSeconds?: number;
}

/** Time beyond the rollout timeout for connecting, authenticating and fetching the diagnosis. */
export const DEADLINE_GRACE_SECONDS = 60;

/**
 * Bind as `hooks: { beforeCreate: [hook], beforeUpdate: [hook] }` on a rollout gate — what
 * `rolloutGate()` does. Never runs during preview.
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
  return new Promise((resolve) =>
    pulumi.output(input).apply((v) => {
      resolve(v);
      return v;
    }),
  );
}

/** The hook's function, exported because `setMocks` never invokes hooks: tests call it directly. */
export async function verifyHookBody(args: pulumi.ResourceHookArgs, options: VerifyHookOptions & { kubeconfig?: string }): Promise<void> {
  const { kind, namespace, name, generation } = readGate(args.urn, args.type, args.newInputs);
  const workload = { kind, namespace, name };
  const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  const deadlineSeconds = options.deadlineSeconds ?? timeoutSeconds + DEADLINE_GRACE_SECONDS;
  const title = `${kind} ${namespace}/${name} (generation ${generation})`;
  const verdict = await withinDeadline(
    (signal) => verifyRollout({ ...options, timeoutSeconds, workload, expectedGeneration: generation, signal }),
    deadlineSeconds,
    `✗ ${title}: no verdict within the verify hook's deadline of ${deadlineSeconds}s — the cluster API did not answer in time. ` +
      `Check that this machine reaches the cluster, or raise the Workload's verifyTimeoutSeconds (a rolloutGate's timeoutSeconds). The next \`pulumi up\` verifies this rollout again.`,
  );
  if (verdict.verdict === "failed") throw new Error(renderVerdict(verdict));
  pulumi.log.info(renderVerdict(verdict).trim());
}

/**
 * Rejects with `message` once `seconds` have passed without `work` settling, and aborts it: the
 * watch stops too, so nothing keeps the program (and `pulumi up`) waiting past the deadline.
 */
async function withinDeadline<T>(work: (signal: AbortSignal) => Promise<T>, seconds: number, message: string): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new Error(message);
      controller.abort(err);
      reject(err);
    }, seconds * 1000);
  });
  try {
    return await Promise.race([work(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Annotations for a workload whose rollout a gate verifies.
 *
 * - `"verify"`: `pulumi.com/skipAwait: "true"`. pulumi-kubernetes otherwise waits for the rollout
 *   itself — up to 10 minutes — and only logs pod errors, so a crash-looping Deployment keeps
 *   `pulumi up` busy until that timeout before the gate even starts. Skipping the provider's await
 *   makes the create/update return at once; the gate's hook then watches the rollout with restarts
 *   in view and fails within seconds of the first crash, within its own deadline.
 * - `"provider"`: no annotations; keep pulumi-kubernetes' await (for workloads without a gate).
 *
 * With skipAwait only the gate waits for healthy pods: resources that need them must depend on
 * the gate (or on the Workload component, whose children include it).
 */
export function awaitAnnotations(mode: "verify" | "provider"): Record<string, string> {
  return mode === "verify" ? { "pulumi.com/skipAwait": "true" } : {};
}
