/**
 * `Workload`: an application deployed so that it does not crash-loop for want of resources or
 * sane probes — a Deployment (or StatefulSet) built from the defaults table, with what a real app
 * needs around it: volumes and config, sidecars, graceful shutdown, a Service and Ingress, an
 * autoscaler, a disruption budget and workload identity. Its spec, including every container the
 * user adds and the `podSpec`/`container` escape hatch, is checked by the rule core before anything
 * is registered: a finding at mandatory level fails `new Workload(...)` with the pack's own rule id,
 * naming the argument to change; an advisory one is a warning on the component.
 */
import * as pulumi from "@pulumi/pulumi";
import { Deployment, StatefulSet } from "@pulumi/kubernetes/apps/v1";
import type { ConfigMap, ServiceAccount, Service } from "@pulumi/kubernetes/core/v1";
import type { Ingress } from "@pulumi/kubernetes/networking/v1";
import type { PodDisruptionBudget } from "@pulumi/kubernetes/policy/v1";
import type { HorizontalPodAutoscaler } from "@pulumi/kubernetes/autoscaling/v2";
import type * as k8s from "@pulumi/kubernetes/types/input";
import { DEFAULTS, type ProbeTimings, type ResourceValues, progressDeadlineSeconds } from "./defaults";
import { WORKLOAD_IDENTITY_USE_LABEL, podSpec } from "./workload-pod";
import { workloadIngress, workloadService } from "./workload-network";
import { autoscaler, disruptionBudget, specReplicas, wantsBudget } from "./workload-scaling";
import { federatedCredential, identityServiceAccount } from "./workload-identity";
import { WorkloadArgumentError, WorkloadValidationError, argumentProblems, blocks, checkWorkload, describeFinding } from "./workload-check";
import type { PolicyConfigFile } from "../cli/policy-config";
import { awaitAnnotations } from "../verify/hook";
import { rolloutGate } from "./rollout-gate";
import { verifierKubeconfig } from "./cluster-connection";

export { WorkloadArgumentError, WorkloadValidationError, POLICY_CONFIG_KEY } from "./workload-check";
export type { WorkloadFinding } from "./workload-check";

export type WorkloadKind = "Deployment" | "StatefulSet";

/** An environment variable read from a key of a Kubernetes Secret, so its value never enters Pulumi state. */
export interface SecretKeyRef {
  secretName: pulumi.Input<string>;
  key: pulumi.Input<string>;
}

/** An environment variable read from a key of a ConfigMap at pod start. */
export interface ConfigMapKeyRef {
  configMapName: pulumi.Input<string>;
  key: pulumi.Input<string>;
}

/** Timing overrides for the probes Workload derives; each field defaults to the rule core's suggested value. */
export interface WorkloadProbeTimings {
  readinessProbe?: ProbeTimings;
  livenessProbe?: ProbeTimings;
  startupProbe?: ProbeTimings;
}

/**
 * A volume and where the app container mounts it: any Kubernetes volume source — `configMap`,
 * `secret`, `persistentVolumeClaim`, `emptyDir`, `csi` (e.g. the Key Vault Secrets Store driver).
 */
export interface WorkloadVolume extends k8s.core.v1.Volume {
  /** Where the app container sees it. A volume at `/tmp` replaces Workload's default scratch one. */
  mountPath: pulumi.Input<string>;
  /** @default false — as Kubernetes; ConfigMap and Secret volumes are read-only whatever it says. */
  readOnly?: pulumi.Input<boolean>;
  /** Mount one path of the volume instead of its root. */
  subPath?: pulumi.Input<string>;
}

/** A per-pod PersistentVolumeClaim of a StatefulSet (`volumeClaimTemplates`), mounted in the app container. */
export interface WorkloadVolumeClaim {
  name: string;
  mountPath: pulumi.Input<string>;
  /** Requested size, e.g. "10Gi". */
  storage: pulumi.Input<string>;
  /** @default the cluster's default StorageClass (on AKS `managed-csi`, a zone-redundant-capable Azure Disk). */
  storageClassName?: pulumi.Input<string>;
  /** @default ["ReadWriteOnce"] — what Azure Disks offer. */
  accessModes?: pulumi.Input<string>[];
}

/** A further port of the app container, also exposed on the Service. */
export interface WorkloadPort {
  /** Port name (≤ 15 characters); the Service targets it by name. */
  name: string;
  containerPort: number;
  /** @default containerPort */
  servicePort?: number;
  /** @default "TCP" */
  protocol?: string;
}

/** An Ingress routing a host (and path) to the Workload's Service. */
export interface WorkloadIngress {
  host: pulumi.Input<string>;
  /** @default "/" (prefix match) */
  path?: string;
  /** @default "webapprouting.kubernetes.azure.com" — AKS's application routing add-on (managed NGINX). */
  className?: pulumi.Input<string>;
  /** Secret holding the TLS certificate for `host`. @default none: plain HTTP. */
  tlsSecretName?: pulumi.Input<string>;
  annotations?: Record<string, pulumi.Input<string>>;
}

/** An autoscaling/v2 HorizontalPodAutoscaler over the workload's pods. */
export interface WorkloadAutoscaling {
  /** Fewest pods; the disruption budget protects this many. At least 1. */
  min: number;
  /** Most pods; at least `min`. */
  max: number;
  /** Target average cpu use, as a percentage of the cpu request. @default 70 when no target is given. */
  cpuUtilization?: number;
  /** Target average memory use, as a percentage of the memory request. @default none */
  memoryUtilization?: number;
}

/** The Entra ID federated credential trusting the cluster's tokens for the Workload's ServiceAccount. */
export interface WorkloadFederatedCredential {
  /** The cluster's OIDC issuer, e.g. `AksCluster`'s `oidcIssuerUrl`. */
  oidcIssuerUrl: pulumi.Input<string>;
  /** Name of the user-assigned managed identity. */
  identityName: pulumi.Input<string>;
  /** Resource group of that identity. */
  resourceGroupName: pulumi.Input<string>;
}

/** Workload identity on AKS (https://learn.microsoft.com/azure/aks/workload-identity-overview). */
export interface WorkloadIdentity {
  /** Client id of the user-assigned managed identity the pods act as. */
  clientId: pulumi.Input<string>;
  /** @default the Workload's name */
  serviceAccountName?: string;
  /** Create the federated credential too (needs `namespace`). @default none: it is managed elsewhere. */
  federatedCredential?: WorkloadFederatedCredential;
}

export interface WorkloadArgs {
  /** Container image. Required. Pin a tag or digest: `latest` makes a rollback redeploy the same broken build (rule `image-pinned`). */
  image: pulumi.Input<string>;
  /** Namespace to deploy into, e.g. a GuardedNamespace's `name`. @default the provider's namespace */
  namespace?: pulumi.Input<string>;
  /** "Deployment", or "StatefulSet" for pods that need stable identities; a StatefulSet's Service is headless. @default "Deployment" */
  kind?: WorkloadKind;
  /**
   * Pod count. Leave it out with `autoscaling`.
   * @default 2 — one crashing pod or drained node then leaves one serving, and the zone spread and
   * disruption budget have something to spread and protect.
   */
  replicas?: number;
  /**
   * Let an autoscaling/v2 HorizontalPodAutoscaler set the pod count between `min` and `max`.
   * `spec.replicas` is then left out of the Deployment: were it written, every `pulumi up` would
   * reset the scale the autoscaler chose. The disruption budget follows `min`.
   * @default none: a fixed `replicas`
   */
  autoscaling?: WorkloadAutoscaling;
  /** The port the app listens on, declared on the container and probed. @default 8080 */
  port?: number;
  /** Name of that port; probes and the Service address it by name. @default "http" */
  portName?: string;
  /** More ports of the app container (metrics, gRPC…), each also on the Service. @default none */
  extraPorts?: WorkloadPort[];
  /** HTTP path of the readiness check: "can I take traffic now?". @default "/ready" */
  readinessPath?: string;
  /**
   * HTTP path of the liveness (and startup) check: "is the process alive?". It must differ from
   * readinessPath, or a pod that is merely busy gets restarted. @default "/healthz"
   */
  livenessPath?: string;
  /** Overrides the timings of the derived probes. @default the rule core's SUGGESTED_PROBE_TIMINGS */
  probeTimings?: WorkloadProbeTimings;
  /** A full readiness probe replacing the derived one (e.g. exec or grpc); probeTimings do not apply to it. */
  readinessProbe?: k8s.core.v1.Probe;
  /** A full liveness probe replacing the derived one; probeTimings do not apply to it. */
  livenessProbe?: k8s.core.v1.Probe;
  /** A full startup probe replacing the one `startupSeconds` derives; probeTimings do not apply to it. */
  startupProbe?: k8s.core.v1.Probe;
  /**
   * Seconds the app may need to start. Set it for slow starters: a startupProbe then holds
   * liveness off for that long (failureThreshold = ceil(startupSeconds / 5)), and the progress
   * deadline grows with it. @default none, for apps up within 30 s (3 liveness failures × 10 s)
   */
  startupSeconds?: number;
  /**
   * Requests and limits of the app container, checked at construction.
   * @default cpu request 250m, memory request 256Mi, memory limit = the memory request, no cpu limit (policies/rules/defaults.ts)
   */
  resources?: Partial<ResourceValues>;
  /** Plain environment variables. Values pass through as given: wrap a sensitive one in `pulumi.secret()`, or use secretEnv. */
  env?: Record<string, pulumi.Input<string>>;
  /** Environment variables read from Secrets at pod start (`valueFrom.secretKeyRef`); values stay out of Pulumi entirely. */
  secretEnv?: Record<string, SecretKeyRef>;
  /** Environment variables read from ConfigMap keys at pod start (`valueFrom.configMapKeyRef`). */
  configEnv?: Record<string, ConfigMapKeyRef>;
  /** Whole ConfigMaps or Secrets as environment variables (`envFrom`), e.g. `[{ configMapRef: { name: "api-config" } }]`. */
  envFrom?: k8s.core.v1.EnvFromSource[];
  /** Volumes mounted in the app container. @default only an emptyDir at `/tmp`, as the root filesystem is read-only */
  volumes?: WorkloadVolume[];
  /** Per-pod PersistentVolumeClaims; `kind: "StatefulSet"` only. @default none */
  volumeClaims?: WorkloadVolumeClaim[];
  /** Entrypoint override. @default the image's ENTRYPOINT */
  command?: pulumi.Input<string>[];
  /** Arguments override. @default the image's CMD */
  args?: pulumi.Input<string>[];
  /**
   * Init containers, run in order before the app (after the sidecars start). Each gets the default
   * resources and security context where it sets none: a pod's init containers are scheduled and
   * admitted like the app. @default none
   */
  initContainers?: k8s.core.v1.Container[];
  /**
   * Sidecars (a proxy, a log shipper…) as native sidecars: init containers with
   * `restartPolicy: Always` (Kubernetes ≥ 1.29), started before the init containers and the app
   * and stopped after the app, so it never runs without them. Each gets the default resources and
   * security context, and a TCP readiness probe on its first port, where it sets none. @default none
   */
  sidecars?: k8s.core.v1.Container[];
  /** More long-running containers beside the app, given the same defaults as sidecars. Prefer `sidecars`. @default none */
  extraContainers?: k8s.core.v1.Container[];
  /**
   * Seconds the app container sleeps in `preStop` before it gets SIGTERM, so it keeps serving
   * while Service endpoints and ingress controllers stop routing to it. Uses the kubelet's native
   * sleep action (`lifecycle.preStop.sleep`, on by default from Kubernetes 1.30, which every AKS
   * version in standard support has), not `exec: sleep`, which fails on distroless and scratch
   * images that have no shell. 0 turns it off. @default 5
   */
  preStopSleepSeconds?: number;
  /** Seconds from the start of termination until the pod is killed; includes the preStop sleep. @default preStopSleepSeconds + 30 */
  terminationGracePeriodSeconds?: number;
  /** Rolling update of a Deployment. @default maxUnavailable 0, maxSurge 25 % — no serving pod is taken down before its replacement is Ready */
  rollingUpdate?: { maxUnavailable?: pulumi.Input<number | string>; maxSurge?: pulumi.Input<number | string> };
  /** Seconds a new pod must stay Ready before it counts as available. @default 0 */
  minReadySeconds?: number;
  /** Secrets holding registry credentials. @default none: AKS pulls from an attached ACR with the kubelet identity */
  imagePullSecrets?: pulumi.Input<string>[];
  /** Node labels the pods must land on. @default none */
  nodeSelector?: Record<string, pulumi.Input<string>>;
  /** Taints the pods tolerate, e.g. for a dedicated node pool. @default none */
  tolerations?: k8s.core.v1.Toleration[];
  /** Node and pod (anti-)affinity. @default none; replicas are spread across zones by a topology spread constraint */
  affinity?: k8s.core.v1.Affinity;
  /** PriorityClass of the pods. @default the cluster's default */
  priorityClassName?: pulumi.Input<string>;
  /** Extra labels on every resource and pod. `app.kubernetes.io/name` is always set to the name and wins. @default none */
  labels?: Record<string, string>;
  /**
   * Annotations on the Deployment/StatefulSet itself, e.g. an exemption
   * `crashguard.dev/exempt: "<rule-id>: <reason>"` that construction-time checks honour as the pack does. @default none
   */
  annotations?: Record<string, string>;
  /** Annotations on the pod template; changing one rolls the pods. @default none */
  podAnnotations?: Record<string, string>;
  /** Service account the pods run as. With `workloadIdentity`, use its `serviceAccountName`. @default the namespace's `default` */
  serviceAccountName?: pulumi.Input<string>;
  /**
   * Workload identity: a ServiceAccount annotated `azure.workload.identity/client-id`, the pod
   * label `azure.workload.identity/use: "true"`, and optionally the federated credential. @default none
   */
  workloadIdentity?: WorkloadIdentity;
  /** Merged over the default container security context (non-root, no escalation, drop ALL, read-only root, RuntimeDefault seccomp). */
  securityContext?: k8s.core.v1.SecurityContext;
  /** Merged over the default pod security context (runAsNonRoot, RuntimeDefault seccomp). */
  podSecurityContext?: k8s.core.v1.PodSecurityContext;
  /** Create a Service for the port(s). Turn off for workers nothing calls. @default true */
  service?: boolean;
  /** Port the Service listens on. @default `port` */
  servicePort?: number;
  /** "ClusterIP", "LoadBalancer" or "NodePort". @default "ClusterIP" */
  serviceType?: pulumi.Input<string>;
  /** Annotations on the Service, e.g. `service.beta.kubernetes.io/azure-load-balancer-internal: "true"`. @default none */
  serviceAnnotations?: Record<string, pulumi.Input<string>>;
  /** An Ingress to the Service. @default none */
  ingress?: WorkloadIngress;
  /** Create a PodDisruptionBudget (maxUnavailable 1). @default when replicas (or autoscaling.min) > 1 (see defaults.ts) */
  pdb?: boolean;
  /**
   * Escape hatch: fields merged over the pod spec Workload built, last (objects key by key, lists
   * replaced). The result is still checked by the rule core.
   */
  podSpec?: Partial<k8s.core.v1.PodSpec>;
  /** Escape hatch: fields merged over the app container, last, as `podSpec`. Still checked. */
  container?: Partial<k8s.core.v1.Container>;
  /**
   * Enforcement levels and options of the rules at construction, in the shape of the pack's
   * `--policy-pack-config` file: `{ "probe-sanity": "mandatory", "image-pinned": "disabled" }`.
   * Mandatory (and remediate) findings fail `new Workload`; advisory ones become warnings.
   * Keys here win over the stack config `crashguard:policyConfig`, which wins over the pack's
   * defaults. @default the stack config, else the pack's default levels
   */
  policyConfig?: PolicyConfigFile;
  /**
   * Verify every rollout right after `pulumi up` creates or updates the workload: a rollout gate
   * (`rolloutGate`) watches the new pods and fails the update within seconds of a restart, crash
   * loop, image pull or config error, with the diagnosis and the fix — and verifies again on the
   * next `pulumi up` until the rollout passes. It replaces pulumi-kubernetes' own await
   * (`pulumi.com/skipAwait: "true"`), which would otherwise wait up to 10 minutes and never look
   * at restarts. Set false where the machine running `pulumi up` cannot reach the cluster API,
   * and the provider's await applies again.
   * @default true
   */
  verify?: boolean;
  /**
   * Kubeconfig the verifier watches the rollout with — the same cluster as the provider, e.g.
   * `AksCluster.kubeconfig`. Kept secret, never printed. A provider crashguard did not make needs
   * this set, or `"ambient"` for `KUBECONFIG` / `~/.kube/config` of the machine running `pulumi up`.
   * @default the kubeconfig of the provider, when crashguard made it (`AksCluster.provider`,
   * `kubernetesProvider(...)`); with no provider, the default provider's (`kubernetes:kubeconfig`
   * config, else the machine's)
   */
  kubeconfig?: pulumi.Input<string>;
  /** How long the verifier waits for a healthy rollout. @default the Deployment's progressDeadlineSeconds */
  verifyTimeoutSeconds?: number;
}

export interface WorkloadOptions extends pulumi.ComponentResourceOptions {
  /**
   * Resource hooks for the Deployment (or StatefulSet) itself — a hook on the component would fire
   * for the component only. crashguard's own verification does not use these: it runs on the
   * Workload's `rolloutGate`.
   */
  deploymentHooks?: pulumi.ResourceHookBinding;
}

export class Workload extends pulumi.ComponentResource {
  /** The Deployment, unless kind is "StatefulSet". */
  public readonly deployment?: Deployment;
  /** The StatefulSet, when kind is "StatefulSet". */
  public readonly statefulSet?: StatefulSet;
  public readonly service?: Service;
  public readonly ingress?: Ingress;
  public readonly podDisruptionBudget?: PodDisruptionBudget;
  public readonly autoscaler?: HorizontalPodAutoscaler;
  /** The ServiceAccount `workloadIdentity` creates. */
  public readonly serviceAccount?: ServiceAccount;
  /**
   * The federated credential `workloadIdentity.federatedCredential` creates (an azure-native
   * `managedidentity.FederatedIdentityCredential`; typed loosely so apps without azure-native compile).
   */
  public readonly federatedIdentityCredential?: pulumi.CustomResource;
  /** Passes once the current rollout is verified healthy (unless `verify: false`); depend on it, or on the Workload. */
  public readonly rolloutGate?: ConfigMap;
  /** The Kubernetes name shared by the workload, Service and budget. */
  public readonly name: pulumi.Output<string>;
  public readonly namespace: pulumi.Output<string>;

  constructor(name: string, args: WorkloadArgs, opts: WorkloadOptions = {}) {
    const problems = argumentProblems(args);
    if (problems.length > 0) throw new WorkloadArgumentError(name, problems);
    const kind = args.kind ?? "Deployment";
    const manifest = workloadManifest(name, args);
    // Checked before anything is registered: a bad override never reaches a preview.
    const findings = checkWorkload(name, args, knownValues(manifest), `kubernetes:apps/v1:${kind}`);
    const blocking = findings.filter(blocks);
    if (blocking.length > 0) throw new WorkloadValidationError(name, blocking);
    const kubeconfig = verifies(args) ? verifierKubeconfig(name, args.kubeconfig, opts) : undefined;

    const { deploymentHooks, ...componentOpts } = opts;
    super("crashguard:k8s:Workload", name, {}, componentOpts);
    for (const f of findings) pulumi.log.warn(describeFinding(name, f), this);
    const child = { parent: this };
    const id = identity(name, args);

    if (args.workloadIdentity) {
      this.serviceAccount = identityServiceAccount(name, args, id.metadata, child);
      if (args.workloadIdentity.federatedCredential)
        this.federatedIdentityCredential = federatedCredential(name, args, this.serviceAccount, child);
    }
    // The pods wait for their ServiceAccount: a pod naming one that does not exist yet is refused.
    const workloadOpts = { ...child, hooks: deploymentHooks, dependsOn: this.serviceAccount ? [this.serviceAccount] : [] };
    const workload =
      kind === "StatefulSet"
        ? (this.statefulSet = new StatefulSet(name, manifest as k8s.apps.v1.StatefulSet, workloadOpts))
        : (this.deployment = new Deployment(name, manifest as k8s.apps.v1.Deployment, workloadOpts));
    if (verifies(args)) {
      this.rolloutGate = rolloutGate(
        name,
        {
          workload,
          kubeconfig,
          timeoutSeconds: args.verifyTimeoutSeconds ?? progressDeadlineSeconds(args.startupSeconds),
        },
        child,
      );
    }

    if (args.service ?? DEFAULTS.service) {
      this.service = workloadService(name, args, id, child);
      if (args.ingress) this.ingress = workloadIngress(name, args, id, this.service, child);
    }
    if (args.autoscaling) this.autoscaler = autoscaler(name, args, id.metadata, child);
    if (wantsBudget(args)) this.podDisruptionBudget = disruptionBudget(name, id.metadata, id.selector, child);
    this.name = workload.metadata.name;
    this.namespace = workload.metadata.namespace;
    this.registerOutputs({
      deployment: this.deployment,
      statefulSet: this.statefulSet,
      service: this.service,
      ingress: this.ingress,
      podDisruptionBudget: this.podDisruptionBudget,
      autoscaler: this.autoscaler,
      serviceAccount: this.serviceAccount,
      federatedIdentityCredential: this.federatedIdentityCredential,
      rolloutGate: this.rolloutGate,
      name: this.name,
      namespace: this.namespace,
    });
  }
}

const NAME_LABEL = "app.kubernetes.io/name";

/** The Deployment or StatefulSet, as the inputs Workload registers and the rule core checks. */
export function workloadManifest(
  name: string,
  args: WorkloadArgs,
): { metadata: k8s.meta.v1.ObjectMeta; spec: k8s.apps.v1.DeploymentSpec | k8s.apps.v1.StatefulSetSpec } {
  const { metadata, selector, labels } = identity(name, args);
  const podLabels = args.workloadIdentity ? { ...labels, [WORKLOAD_IDENTITY_USE_LABEL]: "true" } : labels;
  const serviceAccountName = args.workloadIdentity ? (args.workloadIdentity.serviceAccountName ?? name) : args.serviceAccountName;
  const template: k8s.core.v1.PodTemplateSpec = {
    metadata: { labels: podLabels, annotations: args.podAnnotations },
    spec: podSpec(name, args, selector, serviceAccountName),
  };
  const common = { replicas: specReplicas(args), selector: { matchLabels: selector }, template, minReadySeconds: args.minReadySeconds };
  const spec =
    args.kind === "StatefulSet"
      ? ({
          ...common,
          serviceName: name,
          volumeClaimTemplates: args.volumeClaims?.map(claimTemplate),
        } satisfies k8s.apps.v1.StatefulSetSpec)
      : ({
          ...common,
          strategy: { type: "RollingUpdate", rollingUpdate: { ...DEFAULTS.rollingUpdate, ...args.rollingUpdate } },
          progressDeadlineSeconds: progressDeadlineSeconds(args.startupSeconds),
        } satisfies k8s.apps.v1.DeploymentSpec);
  // With verification on, our hook does the waiting; the user's own annotations still win.
  const annotations = verifies(args) ? { ...awaitAnnotations("verify"), ...args.annotations } : args.annotations;
  return { metadata: { ...metadata, annotations }, spec };
}

function claimTemplate(claim: WorkloadVolumeClaim): k8s.core.v1.PersistentVolumeClaim {
  return {
    metadata: { name: claim.name },
    spec: {
      accessModes: claim.accessModes ?? ["ReadWriteOnce"],
      storageClassName: claim.storageClassName,
      resources: { requests: { storage: claim.storage } },
    },
  };
}

function verifies(args: WorkloadArgs): boolean {
  return args.verify ?? DEFAULTS.verify;
}

function identity(name: string, args: WorkloadArgs) {
  const selector = { [NAME_LABEL]: name };
  const labels = { ...args.labels, ...selector };
  return { selector, labels, metadata: { name, namespace: args.namespace, labels } };
}

/** What is known at construction: Outputs and promises become Pulumi's unknown sentinel, which the rules skip. */
function knownValues(v: unknown): unknown {
  if (pulumi.Output.isInstance(v) || v instanceof Promise) return pulumi.runtime.unknownValue;
  if (Array.isArray(v)) return v.map(knownValues);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, knownValues(x)]));
  return v;
}
