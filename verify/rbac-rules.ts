/**
 * The one table of API access the verifier needs. `verify/rbac.yaml`, the `VerifierRbac`
 * component and the verifier's own 403 messages are all made from it, so they cannot drift.
 * Read-only, namespaced: bind the ClusterRole with a RoleBinding per namespace, never a
 * ClusterRoleBinding.
 */
import { stringify } from "yaml";
import type { ClusterRole, PolicyRule, RoleBinding } from "kubernetes-types/rbac/v1";

export interface VerifierRule {
  apiGroup: "" | "apps";
  resource: string;
  /** Only what the verifier calls: it lists then watches collections, and gets nothing but logs. */
  verbs: ("get" | "list" | "watch")[];
  /** Why the verifier needs it — printed nowhere, kept so nobody widens the table blindly. */
  why: string;
}

export const VERIFIER_RULES: readonly VerifierRule[] = [
  { apiGroup: "apps", resource: "deployments", verbs: ["list", "watch"], why: "read generation, selector and rollout conditions" },
  { apiGroup: "apps", resource: "statefulsets", verbs: ["list", "watch"], why: "read generation, selector and updateRevision" },
  { apiGroup: "apps", resource: "daemonsets", verbs: ["list", "watch"], why: "read generation, selector and desired pods" },
  {
    apiGroup: "apps",
    resource: "replicasets",
    verbs: ["list", "watch"],
    why: "find a Deployment's new ReplicaSet and its pod-template-hash",
  },
  {
    apiGroup: "apps",
    resource: "controllerrevisions",
    verbs: ["list", "watch"],
    why: "find a DaemonSet's current controller-revision-hash",
  },
  { apiGroup: "", resource: "pods", verbs: ["list", "watch"], why: "watch the new revision's pods" },
  { apiGroup: "", resource: "pods/log", verbs: ["get"], why: "quote the crashed container's last log lines" },
  { apiGroup: "", resource: "events", verbs: ["list", "watch"], why: "tell liveness kills and scheduling failures apart" },
];

export const VERIFIER_ROLE_NAME = "crashguard-verifier";

/** The verbs to grant when the API server refuses `resource`: what the verifier needs on it. */
export function verbsFor(resource: string): string {
  return (VERIFIER_RULES.find((r) => r.resource === resource)?.verbs ?? ["list", "watch"]).join(",");
}

/** Rules merged by API group and identical verbs, in table order. */
export function policyRules(): PolicyRule[] {
  const rules: PolicyRule[] = [];
  for (const r of VERIFIER_RULES) {
    const same = rules.find((p) => p.apiGroups?.[0] === r.apiGroup && p.verbs.join() === r.verbs.join());
    if (same) same.resources!.push(r.resource);
    else rules.push({ apiGroups: [r.apiGroup], resources: [r.resource], verbs: [...r.verbs] });
  }
  return rules;
}

export interface BindingSubject {
  kind: "ServiceAccount" | "User" | "Group";
  name: string;
  /** Required for a ServiceAccount. */
  namespace?: string;
}

export function clusterRoleManifest(name = VERIFIER_ROLE_NAME): ClusterRole {
  return { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name }, rules: policyRules() };
}

export function roleBindingManifest(namespace: string, subject: BindingSubject, roleName = VERIFIER_ROLE_NAME): RoleBinding {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: { name: roleName, namespace },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: roleName },
    subjects: [
      subject.kind === "ServiceAccount"
        ? { kind: subject.kind, name: subject.name, namespace: subject.namespace ?? namespace }
        : { kind: subject.kind, name: subject.name, apiGroup: "rbac.authorization.k8s.io" },
    ],
  };
}

/** The example subject and namespace `verify/rbac.yaml` is written for. */
export const RBAC_YAML_EXAMPLE = {
  namespace: "shop",
  subject: { kind: "ServiceAccount", name: "deployer", namespace: "ci" } as BindingSubject,
};

/** The text of `verify/rbac.yaml`: the ClusterRole and an example RoleBinding to adapt. */
export function rbacYaml(): string {
  const header = [
    "# Least-privilege access for `crashguard verify` and its Pulumi hook. Generated from",
    "# verify/rbac-rules.ts (a test keeps them equal); bind the ClusterRole per namespace with a",
    `# RoleBinding like the one below — change its namespace and subject.`,
  ].join("\n");
  const { namespace, subject } = RBAC_YAML_EXAMPLE;
  return `${header}\n${stringify(clusterRoleManifest())}---\n${stringify(roleBindingManifest(namespace, subject))}`;
}
