/** The bounded wait until the API server honours a new Azure RBAC grant (see providerKubeconfig in aks-access.ts). */
import { DEFAULT_BACKOFF, type Backoff, backoffDelay, sleep, timerMs } from "../verify/backoff";
import { ApiError, DeadlineError, KubeClient } from "../verify/kube-client";
import { loadConnection } from "../verify/kubeconfig";

/**
 * Lists namespaces (one item) until the API server stops answering 401/403 — what a fresh
 * Azure RBAC grant looks like until it propagates — or a connection error, as a new cluster's
 * DNS name may not resolve yet. Gives up after `timeoutSeconds` with the fix; never prints the kubeconfig.
 */
export async function waitForAccess(kubeconfig: string, timeoutSeconds: number, backoff: Backoff = DEFAULT_BACKOFF): Promise<void> {
  const deadline = Date.now() + timerMs(timeoutSeconds * 1000);
  // The client's own deadline bounds each probe too: a server that never answers cannot hold `pulumi up`.
  const client = new KubeClient(loadConnection({ kubeconfig }), { deadline });
  const signal = new AbortController().signal;
  try {
    let lastAnswer: ApiError | undefined;
    for (let attempt = 0; ; attempt++) {
      const failure = await refusalOf(client);
      if (!failure) return;
      // A probe cut off by the deadline says less than the refusal before it: report that one.
      const refusal = failure instanceof DeadlineError ? (lastAnswer ?? failure) : (lastAnswer = failure);
      const delay = backoffDelay(attempt, backoff, refusal.retryAfterSeconds);
      if (failure instanceof DeadlineError || Date.now() + delay > deadline) {
        throw new Error(
          `the API server still refuses the deploying identity after ${timeoutSeconds} s (${refusal.status === 0 ? refusal.message : `HTTP ${refusal.status}`}). ` +
            `A new "Azure Kubernetes Service RBAC Cluster Admin" grant can take minutes to apply: run pulumi up again, or raise accessWaitSeconds; ` +
            `if this machine cannot reach the API server (a private cluster), set accessWaitSeconds: 0 and deploy Kubernetes resources from inside its network`,
        );
      }
      await sleep(delay, signal);
    }
  } finally {
    client.close();
  }
}

const PROPAGATING = new Set([0, 401, 403, 429]);

/** Why the API server did not serve the probe, when that may pass with time; other errors are thrown. */
async function refusalOf(client: KubeClient): Promise<ApiError | undefined> {
  try {
    await client.getText("/api/v1/namespaces", { limit: "1" }, { verb: "list", resource: "namespaces", namespace: "(all)" });
    return undefined;
  } catch (err) {
    if (err instanceof ApiError && (PROPAGATING.has(err.status) || err.status >= 500)) return err;
    throw err;
  }
}
