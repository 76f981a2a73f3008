/**
 * The least-privilege access `crashguard verify` and its resource hook need: one read-only
 * ClusterRole made from verify/rbac-rules.ts, bound with a RoleBinding in each namespace to
 * verify — so the identity gains nothing cluster-wide.
 */
import * as pulumi from "@pulumi/pulumi";
import * as rbac from "@pulumi/kubernetes/rbac/v1";
import { VERIFIER_ROLE_NAME, clusterRoleManifest, roleBindingManifest } from "../verify/rbac-rules";

export interface VerifierRbacArgs {
  /** Namespaces whose rollouts the subject may verify; one RoleBinding each. */
  namespaces: string[];
  /** Kind of the identity running `pulumi up`: "ServiceAccount", "User" or "Group". @default "ServiceAccount" */
  subjectKind?: "ServiceAccount" | "User" | "Group";
  /** Name of that identity, e.g. the CI ServiceAccount or an Entra ID object id on AKS. */
  subjectName: string;
  /** Namespace of a ServiceAccount subject. @default each binding's own namespace */
  subjectNamespace?: string;
  /** Name of the ClusterRole and RoleBindings. @default "crashguard-verifier" */
  roleName?: string;
}

export class VerifierRbac extends pulumi.ComponentResource {
  /** Name of the ClusterRole, for binding further namespaces outside this component. */
  public readonly clusterRoleName: pulumi.Output<string>;

  constructor(name: string, args: VerifierRbacArgs, opts?: pulumi.ComponentResourceOptions) {
    super("crashguard:k8s:VerifierRbac", name, args, opts);
    const roleName = args.roleName ?? VERIFIER_ROLE_NAME;
    const role = new rbac.ClusterRole(`${name}-role`, clusterRoleManifest(roleName), { parent: this });
    const subject = { kind: args.subjectKind ?? "ServiceAccount", name: args.subjectName, namespace: args.subjectNamespace };
    for (const namespace of args.namespaces) {
      new rbac.RoleBinding(`${name}-${namespace}`, roleBindingManifest(namespace, subject, roleName), { parent: this, dependsOn: [role] });
    }
    this.clusterRoleName = role.metadata.name;
    this.registerOutputs({ clusterRoleName: this.clusterRoleName });
  }
}
