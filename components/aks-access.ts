/**
 * Who may use the cluster: the deploying identity's Azure RBAC grant on the Kubernetes API, the
 * kubelet's AcrPull grants, and the kubeconfig `cluster.provider` uses, which resolves only once
 * the API server honours the grant (aks-access-wait.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { RoleAssignment, getClientConfigOutput } from "@pulumi/azure-native/authorization";
import type { ManagedCluster } from "@pulumi/azure-native/containerservice";
import type { ResolvedAksArgs } from "./aks-args";

/**
 * Built-in role definition ids, the same in every tenant
 * (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/containers).
 */
export const AKS_RBAC_CLUSTER_ADMIN_ROLE = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b";
export const ACR_PULL_ROLE = "7f951dda-4ed3-4680-a7ca-43fe172d538d";

function roleDefinitionId(subscriptionId: pulumi.Output<string>, role: string): pulumi.Output<string> {
  return pulumi.interpolate`/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${role}`;
}

/** "Azure Kubernetes Service RBAC Cluster Admin" on the cluster for the deploying identity (or the principal given). */
export function grantClusterAdmin(
  name: string,
  d: ResolvedAksArgs,
  cluster: ManagedCluster,
  opts: pulumi.CustomResourceOptions,
): RoleAssignment | undefined {
  if (!d.grantDeployerClusterAdmin) return undefined;
  const client = getClientConfigOutput(opts);
  return new RoleAssignment(
    `${name}-cluster-admin`,
    {
      principalId: d.clusterAdminPrincipalId ?? client.objectId,
      principalType: d.clusterAdminPrincipalType ?? (d.clusterAdminPrincipalId !== undefined ? "User" : deployerPrincipalType()),
      roleDefinitionId: roleDefinitionId(client.subscriptionId, AKS_RBAC_CLUSTER_ADMIN_ROLE),
      scope: cluster.id,
      description: "Lets the identity that deploys the cluster manage what runs in it (crashguard AksCluster).",
    },
    opts,
  );
}

/**
 * The kind of principal azure-native signs in as: a client id (secret, certificate, OIDC) or a
 * managed identity is a service principal; without either it uses the Azure CLI's signed-in user
 * (https://www.pulumi.com/registry/packages/azure-native/installation-configuration/).
 */
export function deployerPrincipalType(env: NodeJS.ProcessEnv = process.env): "User" | "ServicePrincipal" {
  const config = new pulumi.Config("azure-native");
  const clientId = config.get("clientId") ?? env.ARM_CLIENT_ID;
  const managedIdentity = (config.get("useMsi") ?? env.ARM_USE_MSI) === "true";
  return clientId || managedIdentity ? "ServicePrincipal" : "User";
}

/** AcrPull on each registry for the kubelet identity, the identity nodes pull images with. */
export function grantAcrPull(
  name: string,
  d: ResolvedAksArgs,
  cluster: ManagedCluster,
  opts: pulumi.CustomResourceOptions,
): RoleAssignment[] {
  if (!d.acrIds?.length) return [];
  const kubelet = cluster.identityProfile.apply((p) => p?.kubeletidentity?.objectId ?? "");
  const acrPull = roleDefinitionId(getClientConfigOutput(opts).subscriptionId, ACR_PULL_ROLE);
  return d.acrIds.map(
    (scope, i) =>
      new RoleAssignment(
        `${name}-acr-pull-${i}`,
        {
          principalId: kubelet,
          principalType: "ServicePrincipal",
          roleDefinitionId: acrPull,
          scope,
        },
        opts,
      ),
  );
}

/**
 * The kubeconfig for `cluster.provider`: the cluster's own, released only after the grant exists
 * and — on `pulumi up` — the API server accepts it, so no Kubernetes resource races the role
 * assignment's propagation. Without a grant (or with `accessWaitSeconds: 0`) nothing is awaited
 * beyond the grant itself.
 */
export function providerKubeconfig(
  name: string,
  kubeconfig: pulumi.Output<string>,
  grant: RoleAssignment | undefined,
  d: ResolvedAksArgs,
): pulumi.Output<string> {
  if (!grant) return kubeconfig;
  return pulumi.all([kubeconfig, grant.id]).apply(async ([text]) => {
    if (d.accessWaitSeconds > 0 && !pulumi.runtime.isDryRun()) {
      // Loaded only here, on `pulumi up`: previews and plain imports need no Kubernetes client.
      const { waitForAccess } = await import("./aks-access-wait");
      await waitForAccess(text, d.accessWaitSeconds).catch((err: Error) => {
        throw new pulumi.RunError(`AksCluster "${name}": ${err.message}`);
      });
    }
    return text;
  });
}
