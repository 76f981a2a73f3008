/**
 * `AdmissionGuard`: the policy pack's rules enforced by the cluster's own API server, as
 * ValidatingAdmissionPolicies generated from the rule core — so kubectl, Helm and Argo CD meet the
 * rules `pulumi preview` enforces. Needs Kubernetes 1.30 or later (admissionregistration.k8s.io/v1);
 * what the API server cannot check is listed in docs/admission.md.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigMap } from "@pulumi/kubernetes/core/v1";
import {
  ValidatingAdmissionPolicy,
  ValidatingAdmissionPolicyBinding,
  type ValidatingAdmissionPolicyBindingArgs,
} from "@pulumi/kubernetes/admissionregistration/v1";
import type { Configs, Level, RuleId } from "../policies/rules";
import { admissionPolicies, MIN_KUBERNETES_VERSION } from "../admission";

export interface AdmissionGuardArgs {
  /** Each rule's level, as in the pack's policy config: mandatory rules deny, advisory ones warn and audit. @default each rule's default level */
  levels?: Partial<Record<RuleId, Level>>;
  /** Each rule's options, as in the pack's policy config (bounds, required resources, excluded namespaces). @default each rule's defaults (`RULE_DEFAULTS`) */
  configs?: Configs;
  /** Namespace of the ConfigMap the bounds are read from; every cluster has kube-system. @default "kube-system" */
  paramNamespace?: string;
  /**
   * Also check pods and Jobs that a controller owns. Off by default: their Deployment, StatefulSet,
   * DaemonSet, Job or CronJob was checked with the same pod template, and an exemption written on
   * the owner does not reach them. docs/admission.md says what a forged owner reference allows.
   * @default false
   */
  checkControllerOwned?: boolean;
  /**
   * The cluster's Kubernetes version (e.g. AksCluster's `kubernetesVersion`), checked against the
   * 1.30 floor so an older cluster fails with a reason instead of an unknown-kind error.
   * @default not checked
   */
  kubernetesVersion?: pulumi.Input<string>;
}

export class AdmissionGuard extends pulumi.ComponentResource {
  public readonly policies: ValidatingAdmissionPolicy[] = [];
  public readonly bindings: ValidatingAdmissionPolicyBinding[] = [];
  /** The bounds the policies read; absent when no enabled rule has bounds. */
  public readonly bounds?: ConfigMap;

  constructor(name: string, args: AdmissionGuardArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
    super("crashguard:k8s:AdmissionGuard", name, {}, opts);
    // Wrong bounds fail here, at construction, with the rule and field they belong to.
    const objects = admissionPolicies({
      levels: args.levels,
      configs: args.configs,
      paramNamespace: args.paramNamespace,
      checkControllerOwned: args.checkControllerOwned,
    });
    const version = args.kubernetesVersion;
    if (typeof version === "string") checkKubernetesVersion(name, version);
    // A version known only after the cluster exists gates each policy's spec, so an old cluster fails the update with the reason.
    const gated = <T>(spec: T): pulumi.Input<T> =>
      version === undefined || typeof version === "string"
        ? spec
        : pulumi.output(version).apply((v) => {
            // An Output that resolves to nothing (a provider that does not report the version) is not checked.
            if (v) checkKubernetesVersion(name, v);
            return spec;
          });
    for (const object of objects) {
      const resourceName = `${name}-${object.metadata!.name!.replace(/^crashguard-/, "")}`;
      if (object.kind === "ConfigMap") {
        this.bounds = new ConfigMap(`${name}-bounds`, object, { parent: this });
      } else if (object.kind === "ValidatingAdmissionPolicy") {
        this.policies.push(new ValidatingAdmissionPolicy(resourceName, { ...object, spec: gated(object.spec) }, { parent: this }));
      } else if (object.kind === "ValidatingAdmissionPolicyBinding") {
        // A binding whose policy or ConfigMap is missing would deny every workload; create them first.
        const policy = this.policies[this.policies.length - 1];
        // kubernetes-types marks every field optional, Pulumi's inputs mark the required ones so; the
        // generator sets them all (test/admission/generate.test.ts validates against the API schemas).
        this.bindings.push(
          new ValidatingAdmissionPolicyBinding(resourceName, object as unknown as ValidatingAdmissionPolicyBindingArgs, {
            parent: this,
            dependsOn: [policy, ...(this.bounds ? [this.bounds] : [])],
          }),
        );
      }
    }
    this.registerOutputs({ policies: this.policies.map((p) => p.metadata.name) });
  }
}

/** Throws unless `version` ("1.31.2", "v1.30") is at least the ValidatingAdmissionPolicy v1 floor. */
export function checkKubernetesVersion(component: string, version: string): void {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  const [floorMajor, floorMinor] = MIN_KUBERNETES_VERSION.split(".").map(Number);
  if (!m)
    throw new Error(
      `AdmissionGuard ${component}: cannot read Kubernetes version ${JSON.stringify(version)}; give it as "1.31" or "1.31.2"`,
    );
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major < floorMajor || (major === floorMajor && minor < floorMinor)) {
    throw new Error(
      `AdmissionGuard ${component}: ValidatingAdmissionPolicy v1 needs Kubernetes ${MIN_KUBERNETES_VERSION} or later, and the cluster runs ${version}; upgrade the cluster, or leave AdmissionGuard out and rely on the policy pack at preview`,
    );
  }
}
