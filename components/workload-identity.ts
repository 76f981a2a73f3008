/**
 * Workload identity on AKS (https://learn.microsoft.com/azure/aks/workload-identity-overview):
 * a ServiceAccount annotated with the managed identity's client id, the pod label that makes AKS's
 * webhook inject the token, and optionally the federated credential that lets Entra ID trust
 * tokens the cluster's OIDC issuer signs for that ServiceAccount.
 */
import * as pulumi from "@pulumi/pulumi";
import { ServiceAccount } from "@pulumi/kubernetes/core/v1";
import type * as k8s from "@pulumi/kubernetes/types/input";
import type { WorkloadArgs } from "./workload";

export const CLIENT_ID_ANNOTATION = "azure.workload.identity/client-id";
/** The audience AKS's webhook requests tokens for; Entra ID accepts no other for workload identity. */
const TOKEN_AUDIENCE = "api://AzureADTokenExchange";

export function identityServiceAccount(
  name: string,
  args: WorkloadArgs,
  metadata: k8s.meta.v1.ObjectMeta,
  opts: pulumi.CustomResourceOptions,
): ServiceAccount {
  const identity = args.workloadIdentity!;
  return new ServiceAccount(
    name,
    {
      metadata: {
        ...metadata,
        name: identity.serviceAccountName ?? name,
        annotations: { [CLIENT_ID_ANNOTATION]: identity.clientId },
      },
    },
    opts,
  );
}

/**
 * The federated credential for `system:serviceaccount:<namespace>:<name>`. azure-native is loaded
 * here, only when asked for, so an app using Workload without it never needs the package.
 */
export function federatedCredential(
  name: string,
  args: WorkloadArgs,
  account: ServiceAccount,
  opts: pulumi.CustomResourceOptions,
): pulumi.CustomResource {
  const { FederatedIdentityCredential: Credential } =
    require("@pulumi/azure-native/managedidentity") as typeof import("@pulumi/azure-native/managedidentity");
  const federation = args.workloadIdentity!.federatedCredential!;
  return new Credential(
    name,
    {
      resourceGroupName: federation.resourceGroupName,
      resourceName: federation.identityName,
      issuer: federation.oidcIssuerUrl,
      subject: pulumi.interpolate`system:serviceaccount:${account.metadata.namespace}:${account.metadata.name}`,
      audiences: [TOKEN_AUDIENCE],
    },
    opts,
  );
}
