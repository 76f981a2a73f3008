/**
 * Which cluster a verifying Workload watches: the one it deploys to. A Kubernetes provider does not
 * expose the kubeconfig it was made with, so crashguard remembers it for the providers it makes
 * (`kubernetesProvider`, `AksCluster.provider`), and a Workload deployed through any other provider
 * must be told (`kubeconfig`), or told to use the deploying machine's (`kubeconfig: "ambient"`).
 *
 *   const provider = kubernetesProvider("cluster", { kubeconfig });
 *   new Workload("api", { image }, { provider });   // verifies with that same kubeconfig
 */
import * as pulumi from "@pulumi/pulumi";
import { Provider, type ProviderArgs } from "@pulumi/kubernetes/provider";

/** `Workload`'s `kubeconfig: "ambient"`: verify with `KUBECONFIG` or `~/.kube/config` of the machine running `pulumi up`. */
export const AMBIENT_KUBECONFIG = "ambient";

const kubeconfigs = new WeakMap<pulumi.ProviderResource, pulumi.Input<string>>();

/** A Kubernetes provider whose kubeconfig crashguard's verifying Workloads will use. */
export function kubernetesProvider(
  name: string,
  args: ProviderArgs & { kubeconfig: pulumi.Input<string> },
  opts?: pulumi.CustomResourceOptions,
): Provider {
  return rememberKubeconfig(new Provider(name, args, opts), args.kubeconfig);
}

/** Records the kubeconfig a Kubernetes provider was made with, so a Workload deployed through it verifies that cluster. */
export function rememberKubeconfig<P extends pulumi.ProviderResource>(provider: P, kubeconfig: pulumi.Input<string>): P {
  kubeconfigs.set(provider, kubeconfig);
  return provider;
}

/**
 * The kubeconfig a verifying Workload named `workload` watches its rollout with; undefined means
 * the deploying machine's. Throws when it cannot know which cluster the Workload deploys to.
 */
export function verifierKubeconfig(
  workload: string,
  kubeconfig: pulumi.Input<string> | undefined,
  opts: pulumi.ComponentResourceOptions,
): pulumi.Input<string> | undefined {
  if (kubeconfig === AMBIENT_KUBECONFIG) return undefined;
  if (kubeconfig !== undefined) return kubeconfig;
  const provider = kubernetesProviderOf(opts);
  if (provider === undefined) return defaultProviderKubeconfig(workload);
  const known = kubeconfigs.get(provider);
  if (known === undefined) {
    throw new pulumi.RunError(
      `Workload "${workload}": cannot tell which cluster to verify the rollout on: it deploys through a Kubernetes provider ` +
        `crashguard did not make, and has no \`kubeconfig\`. Pass that provider's kubeconfig as \`kubeconfig\`, make the provider ` +
        `with \`kubernetesProvider(name, { kubeconfig })\` from crashguard, set \`kubeconfig: "${AMBIENT_KUBECONFIG}"\` to watch ` +
        `the deploying machine's KUBECONFIG, or \`verify: false\` to keep the provider's own await.`,
    );
  }
  return known;
}

/** The Kubernetes provider a component's children would use: its own `provider`/`providers`, else its parent's. */
function kubernetesProviderOf(opts: pulumi.ComponentResourceOptions): pulumi.ProviderResource | undefined {
  const isKubernetes = (p: pulumi.ProviderResource | undefined): p is pulumi.ProviderResource => Provider.isInstance(p);
  if (isKubernetes(opts.provider)) return opts.provider;
  const given = Array.isArray(opts.providers) ? opts.providers : Object.values(opts.providers ?? {});
  return given.find(isKubernetes) ?? opts.parent?.getProvider("kubernetes::");
}

/**
 * With no provider the default Kubernetes provider deploys, reading the `kubernetes:kubeconfig`
 * stack config or else the deploying machine's kubeconfig, so the verifier reads the same.
 */
function defaultProviderKubeconfig(workload: string): pulumi.Input<string> | undefined {
  const config = new pulumi.Config("kubernetes");
  if (config.get("context") !== undefined || config.get("cluster") !== undefined) {
    throw new pulumi.RunError(
      `Workload "${workload}": the default Kubernetes provider is set to a context or cluster (kubernetes:context / ` +
        `kubernetes:cluster) the verifier cannot follow; pass \`kubeconfig\`, deploy through \`kubernetesProvider(...)\`, ` +
        `or set \`verify: false\`.`,
    );
  }
  return config.getSecret("kubeconfig");
}
