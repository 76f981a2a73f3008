/**
 * `AksCluster`: an AKS cluster with secure, current defaults (after the AKS baseline reference
 * architecture), each overridable, and the outputs a platform repo hands to app stacks: a secret
 * kubeconfig and a Kubernetes provider for it.
 *
 *   const cluster = new AksCluster("aks", { location: "westeurope", adminGroupObjectIds: [opsGroupId] });
 *   new Workload("api", { image, kubeconfig: cluster.kubeconfig }, { provider: cluster.provider });
 */
import * as pulumi from "@pulumi/pulumi";
import {
  type AgentPool,
  type MaintenanceConfiguration,
  ManagedCluster,
  listManagedClusterAdminCredentialsOutput,
  listManagedClusterUserCredentialsOutput,
} from "@pulumi/azure-native/containerservice";
import type { RoleAssignment } from "@pulumi/azure-native/authorization";
import type { DiagnosticSetting } from "@pulumi/azure-native/monitor";
import { ResourceGroup } from "@pulumi/azure-native/resources";
import { Provider } from "@pulumi/kubernetes/provider";
import { rememberKubeconfig } from "./cluster-connection";
import { AdmissionGuard } from "./admission-guard";
import { parseDocument } from "yaml";
import { definedOnly } from "../policies/rules/read";
import { AKS_DEFAULTS, AKS_SERVER_ID, type AksClusterArgs, type KubeloginMode, type ResolvedAksArgs } from "./aks-args";
import { grantAcrPull, grantClusterAdmin, providerKubeconfig } from "./aks-access";
import { createDiagnostics } from "./aks-diagnostics";
import { createMaintenanceWindows } from "./aks-maintenance";
import { createNodePools } from "./aks-node-pools";
import { managedClusterArgs } from "./aks-profile";
import { validateAksArgs } from "./aks-validate";

export * from "./aks-args";
export { AKS_RBAC_CLUSTER_ADMIN_ROLE, ACR_PULL_ROLE } from "./aks-access";

export class AksCluster extends pulumi.ComponentResource {
  public readonly cluster: ManagedCluster;
  /** The `nodePools`, one AgentPool each. */
  public readonly nodePools: AgentPool[];
  /** The planned-maintenance schedules (none with `plannedMaintenance: false`). */
  public readonly maintenanceConfigurations: MaintenanceConfiguration[];
  /** Control-plane logs to `logAnalyticsWorkspaceId`, when given. */
  public readonly diagnosticSetting?: DiagnosticSetting;
  /** The deploying identity's "Azure Kubernetes Service RBAC Cluster Admin" grant, unless `grantDeployerClusterAdmin: false`. */
  public readonly clusterAdminGrant?: RoleAssignment;
  /** AcrPull for the kubelet identity, one per `acrIds` entry. */
  public readonly acrPullGrants: RoleAssignment[];
  /** Kubeconfig for the cluster (user credentials via kubelogin unless `adminCredentials`); always secret. */
  public readonly kubeconfig: pulumi.Output<string>;
  /**
   * A Kubernetes provider for the cluster, for Workloads and anything else deployed into it. It
   * depends on `clusterAdminGrant` and, on `pulumi up`, waits until the API server honours it
   * (`accessWaitSeconds`), so resources deployed through it do not race the grant.
   */
  public readonly provider: Provider;
  /** The in-cluster enforcement of the rules, when `admissionGuard` is set. */
  public readonly admissionGuard?: AdmissionGuard;
  public readonly clusterName: pulumi.Output<string>;
  public readonly resourceGroupName: pulumi.Output<string>;
  /** Issuer URL for workload identity federation (federated credentials of managed identities). */
  public readonly oidcIssuerUrl: pulumi.Output<string | undefined>;
  public readonly nodeResourceGroup: pulumi.Output<string | undefined>;

  constructor(name: string, args: AksClusterArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
    validateAksArgs(name, args);
    super("crashguard:azure:AksCluster", name, {}, opts);
    const child = { parent: this };
    const d = resolveArgs(args);

    const resourceGroupName =
      args.resourceGroupName !== undefined
        ? pulumi.output(args.resourceGroupName)
        : new ResourceGroup(`${name}-rg`, { location: args.location, tags: args.tags }, child).name;
    this.cluster = new ManagedCluster(name, managedClusterArgs(name, d, resourceGroupName), child);
    this.nodePools = createNodePools(name, d, this.cluster, resourceGroupName, child);
    this.maintenanceConfigurations = createMaintenanceWindows(name, d, this.cluster, resourceGroupName, child);
    this.diagnosticSetting = createDiagnostics(name, d, this.cluster, child);
    this.clusterAdminGrant = grantClusterAdmin(name, d, this.cluster, child);
    this.acrPullGrants = grantAcrPull(name, d, this.cluster, child);

    const credentials = { resourceGroupName, resourceName: this.cluster.name };
    const raw = args.adminCredentials
      ? listManagedClusterAdminCredentialsOutput(credentials, child).kubeconfigs
      : listManagedClusterUserCredentialsOutput({ ...credentials, format: "exec" }, child).kubeconfigs;
    const mode = d.kubeloginMode;
    this.kubeconfig = pulumi.secret(
      raw.apply((kubeconfigs) => {
        const text = Buffer.from(kubeconfigs?.[0]?.value ?? "", "base64").toString("utf8");
        return args.adminCredentials ? text : kubeconfigForKubelogin(text, mode);
      }),
    );
    const grants = this.clusterAdminGrant ? [this.clusterAdminGrant] : [];
    // The provider's kubeconfig resolves only once the grant is in effect; a Workload's verifier
    // (which runs after the provider's resources) reads the cluster's kubeconfig itself.
    this.provider = rememberKubeconfig(
      new Provider(
        `${name}-k8s`,
        { kubeconfig: providerKubeconfig(name, this.kubeconfig, this.clusterAdminGrant, d) },
        { ...child, dependsOn: grants },
      ),
      this.kubeconfig,
    );
    if (args.admissionGuard) {
      const guard = args.admissionGuard === true ? {} : args.admissionGuard;
      this.admissionGuard = new AdmissionGuard(
        `${name}-admission`,
        { ...guard, kubernetesVersion: this.cluster.currentKubernetesVersion },
        { parent: this, provider: this.provider },
      );
    }
    this.clusterName = this.cluster.name;
    this.resourceGroupName = resourceGroupName;
    this.oidcIssuerUrl = this.cluster.oidcIssuerProfile.apply((p) => p?.issuerURL);
    this.nodeResourceGroup = this.cluster.nodeResourceGroup;
    this.registerOutputs({
      kubeconfig: this.kubeconfig,
      clusterName: this.clusterName,
      resourceGroupName: this.resourceGroupName,
      oidcIssuerUrl: this.oidcIssuerUrl,
      nodeResourceGroup: this.nodeResourceGroup,
    });
  }
}

/** Every argument with its default; the system pool's ceiling never sits below its floor. */
function resolveArgs(args: AksClusterArgs): ResolvedAksArgs {
  const given = definedOnly(args);
  const systemMaxCount = Math.max(given.systemNodeCount ?? AKS_DEFAULTS.systemNodeCount, AKS_DEFAULTS.systemMaxCount);
  return { ...AKS_DEFAULTS, systemMaxCount, ...given };
}

/**
 * Rewrites the kubelogin exec plugin of an AKS user kubeconfig for a non-interactive login mode
 * (what `kubelogin convert-kubeconfig -l <mode>` does), so `pulumi up` and CI never stop at a
 * device-code prompt. Users without a kubelogin exec plugin are left as they are.
 */
export function kubeconfigForKubelogin(kubeconfig: string, mode: KubeloginMode): string {
  const doc = parseDocument(kubeconfig);
  const users = doc.toJS()?.users;
  if (!Array.isArray(users)) return kubeconfig;
  users.forEach((u: { user?: { exec?: { command?: string; args?: string[] } } }, i: number) => {
    const exec = u?.user?.exec;
    if (!exec || !/(^|\/)kubelogin(\.exe)?$/.test(exec.command ?? "")) return;
    const old = exec.args ?? [];
    const flagValue = (flag: string) => {
      const at = old.indexOf(flag);
      return at >= 0 ? old[at + 1] : undefined;
    };
    const args = ["get-token", "--login", mode, "--server-id", flagValue("--server-id") ?? AKS_SERVER_ID];
    // devicecode signs in as the AKS client app; the other modes bring their own identity.
    if (mode === "devicecode" && flagValue("--client-id")) args.push("--client-id", flagValue("--client-id")!);
    for (const flag of ["--tenant-id", "--environment"]) if (flagValue(flag)) args.push(flag, flagValue(flag)!);
    doc.setIn(["users", i, "user", "exec", "args"], args);
  });
  return doc.toString();
}
