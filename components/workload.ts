/**
 * `Workload`: one container image deployed so that it does not crash-loop for want of resources
 * or sane probes — a Deployment (or StatefulSet) built from the defaults table, an optional
 * Service and PodDisruptionBudget. Its spec is checked by the rule core before anything is
 * registered, so a bad override fails `new Workload(...)` with the pack's own rule id and fix.
 */
import * as pulumi from "@pulumi/pulumi";
import { Deployment, StatefulSet } from "@pulumi/kubernetes/apps/v1";
import { ConfigMap, Service } from "@pulumi/kubernetes/core/v1";
import { PodDisruptionBudget } from "@pulumi/kubernetes/policy/v1";
import type * as k8s from "@pulumi/kubernetes/types/input";
import { Finding, checkObject, formatFinding } from "../policies/rules";
import { DEFAULTS, ProbeTimings, ResourceValues, definedOnly, progressDeadlineSeconds, resourceRequirements, startupTimings } from "./defaults";
import { fillResources } from "./transforms";
import { clonePlain } from "../policies/rules/fill";
import { awaitAnnotations } from "../verify/hook";
import { rolloutGate } from "./rollout-gate";

export type WorkloadKind = "Deployment" | "StatefulSet";

/** An environment variable read from a key of a Kubernetes Secret, so its value never enters Pulumi state. */
export interface SecretKeyRef {
  secretName: pulumi.Input<string>;
  key: pulumi.Input<string>;
}

/** Timing overrides for the probes Workload derives; each field defaults to the runbook's value. */
export interface WorkloadProbeTimings {
  readinessProbe?: ProbeTimings;
  livenessProbe?: ProbeTimings;
  startupProbe?: ProbeTimings;
}

export interface WorkloadArgs {
  /** Container image. Required. Pin a tag or digest: `latest` makes a rollback redeploy the same broken build. */
  image: pulumi.Input<string>;
  /** Namespace to deploy into, e.g. a GuardedNamespace's `name`. Default: the provider's namespace. */
  namespace?: pulumi.Input<string>;
  /** "Deployment" (default) or "StatefulSet" for pods that need stable identities; a StatefulSet's Service is headless. */
  kind?: WorkloadKind;
  /**
   * Pod count. Default 2: one crashing pod or drained node then leaves one serving, and the
   * zone spread and disruption budget have something to spread and protect.
   */
  replicas?: number;
  /** The port the app listens on, declared on the container and probed. Default 8080. */
  port?: number;
  /** Name of that port; probes and the Service address it by name. Default "http". */
  portName?: string;
  /** HTTP path of the readiness check. Default "/ready": answers "can I take traffic now?". */
  readinessPath?: string;
  /**
   * HTTP path of the liveness (and startup) check. Default "/healthz": answers "is the process
   * alive?". It must differ from readinessPath, or a pod that is merely busy gets restarted.
   */
  livenessPath?: string;
  /** Overrides the timings of the derived probes. Default: the rule core's SUGGESTED_PROBE_TIMINGS. */
  probeTimings?: WorkloadProbeTimings;
  /** A full readiness probe replacing the derived one (e.g. exec or grpc); probeTimings do not apply to it. */
  readinessProbe?: k8s.core.v1.Probe;
  /** A full liveness probe replacing the derived one; probeTimings do not apply to it. */
  livenessProbe?: k8s.core.v1.Probe;
  /** A full startup probe replacing the one `startupSeconds` derives; probeTimings do not apply to it. */
  startupProbe?: k8s.core.v1.Probe;
  /**
   * Seconds the app may need to start. Default: none, for apps up within 30 s (3 liveness
   * failures x 10 s). Set it for slow starters: a startupProbe then holds liveness off for that
   * long (failureThreshold = ceil(startupSeconds / 5)), and the progress deadline grows with it.
   */
  startupSeconds?: number;
  /**
   * Requests and limits. Default: cpu request 250m, memory request 256Mi, memory limit = the
   * memory request, no cpu limit (see defaults.ts). Plain strings: they are checked at construction.
   */
  resources?: Partial<ResourceValues>;
  /** Plain environment variables. Values pass through as given: wrap a sensitive one in `pulumi.secret()`, or use secretEnv. */
  env?: Record<string, pulumi.Input<string>>;
  /** Environment variables read from Secrets at pod start (`valueFrom.secretKeyRef`); values stay out of Pulumi entirely. */
  secretEnv?: Record<string, SecretKeyRef>;
  /** Entrypoint override. Default: the image's ENTRYPOINT. */
  command?: pulumi.Input<string>[];
  /** Arguments override. Default: the image's CMD. */
  args?: pulumi.Input<string>[];
  /**
   * Init containers, run in order before the app. Each gets the default resources and security
   * context where it sets none: a pod's init containers are scheduled and admitted like the app.
   */
  initContainers?: k8s.core.v1.Container[];
  /** Extra labels on every resource and pod. Default none; `app.kubernetes.io/name` is always set to the name and wins. */
  labels?: Record<string, string>;
  /**
   * Annotations on the Deployment/StatefulSet itself, e.g. an exemption
   * `crashguard.dev/exempt: "<rule-id>: <reason>"` that construction-time checks honour as the pack does.
   */
  annotations?: Record<string, string>;
  /** Annotations on the pod template; changing one rolls the pods. Default none. */
  podAnnotations?: Record<string, string>;
  /** Service account the pods run as. Default: the namespace's `default`. */
  serviceAccountName?: pulumi.Input<string>;
  /** Merged over the default container security context (non-root, no escalation, drop ALL, read-only root, RuntimeDefault seccomp). */
  securityContext?: k8s.core.v1.SecurityContext;
  /** Merged over the default pod security context (runAsNonRoot, RuntimeDefault seccomp). */
  podSecurityContext?: k8s.core.v1.PodSecurityContext;
  /** Create a ClusterIP Service for the port. Default true; turn off for workers nothing calls. */
  service?: boolean;
  /** Port the Service listens on. Default: `port`. */
  servicePort?: number;
  /** Create a PodDisruptionBudget (maxUnavailable 1). Default: when replicas > 1 (see defaults.ts). */
  pdb?: boolean;
  /**
   * Verify every rollout right after `pulumi up` creates or updates the workload: a rollout gate
   * (`rolloutGate`) watches the new pods and fails the update within seconds of a restart, crash
   * loop, image pull or config error, with the diagnosis and the fix — and verifies again on the
   * next `pulumi up` until the rollout passes. It replaces pulumi-kubernetes' own await
   * (`pulumi.com/skipAwait: "true"`), which would otherwise wait up to 10 minutes and never look
   * at restarts. Default true; set false where the machine running `pulumi up` cannot reach the
   * cluster API, and the provider's await applies again.
   */
  verify?: boolean;
  /**
   * Kubeconfig the verifier watches the rollout with — the same cluster as the provider, e.g.
   * `AksCluster.kubeconfig`. Kept secret, never printed. Default: `KUBECONFIG` or `~/.kube/config`
   * on the machine running `pulumi up`.
   */
  kubeconfig?: pulumi.Input<string>;
  /** How long the verifier waits for a healthy rollout. Default: the Deployment's progressDeadlineSeconds. */
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

/** A Workload whose spec the rule core rejects; the message carries each rule id, field path and fix. */
export class WorkloadValidationError extends pulumi.RunError {
  constructor(readonly workload: string, readonly findings: Finding[]) {
    super(findings.map((f) => `Workload "${workload}": [${f.rule}] ${formatFinding(f)}`).join("\n"));
  }
}

export class Workload extends pulumi.ComponentResource {
  /** The Deployment, unless kind is "StatefulSet". */
  public readonly deployment?: Deployment;
  /** The StatefulSet, when kind is "StatefulSet". */
  public readonly statefulSet?: StatefulSet;
  public readonly service?: Service;
  public readonly podDisruptionBudget?: PodDisruptionBudget;
  /** Passes once the current rollout is verified healthy (unless `verify: false`); depend on it, or on the Workload. */
  public readonly rolloutGate?: ConfigMap;
  /** The Kubernetes name shared by the workload, Service and budget. */
  public readonly name: pulumi.Output<string>;
  public readonly namespace: pulumi.Output<string>;

  constructor(name: string, args: WorkloadArgs, opts: WorkloadOptions = {}) {
    const kind = args.kind ?? "Deployment";
    const manifest = workloadManifest(name, args);
    // Checked before anything is registered: a bad override never reaches a preview.
    const findings = checkObject(knownValues(manifest), { typeToken: `kubernetes:apps/v1:${kind}`, name });
    if (findings.length > 0) throw new WorkloadValidationError(name, findings);

    const { deploymentHooks, ...componentOpts } = opts;
    super("crashguard:k8s:Workload", name, {}, componentOpts);
    const child = { parent: this };
    const workload = kind === "StatefulSet"
      ? (this.statefulSet = new StatefulSet(name, manifest as k8s.apps.v1.StatefulSet, { ...child, hooks: deploymentHooks }))
      : (this.deployment = new Deployment(name, manifest as k8s.apps.v1.Deployment, { ...child, hooks: deploymentHooks }));
    if (verifies(args)) {
      this.rolloutGate = rolloutGate(name, {
        workload, kubeconfig: args.kubeconfig, timeoutSeconds: args.verifyTimeoutSeconds ?? progressDeadlineSeconds(args.startupSeconds),
      }, child);
    }
    const { metadata, selector } = identity(name, args);
    const port = args.port ?? DEFAULTS.port;
    const portName = args.portName ?? DEFAULTS.portName;

    if (args.service ?? true) {
      this.service = new Service(name, {
        metadata,
        spec: {
          selector,
          ports: [{ name: portName, port: args.servicePort ?? port, targetPort: portName }],
          ...(kind === "StatefulSet" ? { clusterIP: "None" } : {}),
        },
      }, child);
    }
    if (args.pdb ?? (args.replicas ?? DEFAULT_REPLICAS) > 1) {
      this.podDisruptionBudget = new PodDisruptionBudget(name, {
        metadata,
        spec: { maxUnavailable: DEFAULTS.pdbMaxUnavailable, selector: { matchLabels: selector } },
      }, child);
    }
    this.name = workload.metadata.name;
    this.namespace = workload.metadata.namespace;
    this.registerOutputs({
      deployment: this.deployment, statefulSet: this.statefulSet, service: this.service,
      podDisruptionBudget: this.podDisruptionBudget, rolloutGate: this.rolloutGate, name: this.name, namespace: this.namespace,
    });
  }
}

const DEFAULT_REPLICAS = 2;
const NAME_LABEL = "app.kubernetes.io/name";

/** The Deployment or StatefulSet, as the inputs Workload registers and the rule core checks. */
export function workloadManifest(name: string, args: WorkloadArgs): { metadata: k8s.meta.v1.ObjectMeta; spec: k8s.apps.v1.DeploymentSpec | k8s.apps.v1.StatefulSetSpec } {
  const { metadata, selector, labels } = identity(name, args);
  const template: k8s.core.v1.PodTemplateSpec = {
    metadata: { labels, annotations: args.podAnnotations },
    spec: podSpec(name, args, selector),
  };
  const common = { replicas: args.replicas ?? DEFAULT_REPLICAS, selector: { matchLabels: selector }, template };
  const spec = args.kind === "StatefulSet"
    ? { ...common, serviceName: name } satisfies k8s.apps.v1.StatefulSetSpec
    : {
      ...common,
      strategy: { type: "RollingUpdate", rollingUpdate: DEFAULTS.rollingUpdate },
      progressDeadlineSeconds: progressDeadlineSeconds(args.startupSeconds),
    } satisfies k8s.apps.v1.DeploymentSpec;
  // With verification on, our hook does the waiting; the user's own annotations still win.
  const annotations = verifies(args) ? { ...awaitAnnotations("verify"), ...args.annotations } : args.annotations;
  return { metadata: { ...metadata, annotations }, spec };
}

function verifies(args: WorkloadArgs): boolean {
  return args.verify ?? true;
}

function identity(name: string, args: WorkloadArgs) {
  const selector = { [NAME_LABEL]: name };
  const labels = { ...args.labels, ...selector };
  return { selector, labels, metadata: { name, namespace: args.namespace, labels } };
}

function podSpec(name: string, args: WorkloadArgs, selector: Record<string, string>): k8s.core.v1.PodSpec {
  return {
    serviceAccountName: args.serviceAccountName,
    securityContext: { ...DEFAULTS.podSecurityContext, ...args.podSecurityContext },
    topologySpreadConstraints: [{
      maxSkew: 1,
      topologyKey: DEFAULTS.zoneTopologyKey,
      whenUnsatisfiable: "ScheduleAnyway",
      labelSelector: { matchLabels: selector },
    }],
    initContainers: args.initContainers?.map(initContainer),
    containers: [appContainer(name, args)],
    volumes: [{ name: DEFAULTS.tmpVolume.name, emptyDir: {} }],
  };
}

function appContainer(name: string, args: WorkloadArgs): k8s.core.v1.Container {
  const portName = args.portName ?? DEFAULTS.portName;
  const httpProbe = (path: string, timings: ProbeTimings, override: ProbeTimings | undefined): k8s.core.v1.Probe =>
    ({ httpGet: { path, port: portName }, ...timings, ...definedOnly(override ?? {}) });
  const livenessPath = args.livenessPath ?? DEFAULTS.livenessPath;
  const timings = args.probeTimings ?? {};
  return {
    name,
    image: args.image,
    command: args.command,
    args: args.args,
    ports: [{ name: portName, containerPort: args.port ?? DEFAULTS.port }],
    env: envVars(args),
    resources: resourceRequirements(args.resources),
    readinessProbe: args.readinessProbe ??
      httpProbe(args.readinessPath ?? DEFAULTS.readinessPath, DEFAULTS.probeTimings.readinessProbe, timings.readinessProbe),
    livenessProbe: args.livenessProbe ?? httpProbe(livenessPath, DEFAULTS.probeTimings.livenessProbe, timings.livenessProbe),
    startupProbe: args.startupProbe ??
      (args.startupSeconds === undefined ? undefined : httpProbe(livenessPath, startupTimings(args.startupSeconds), timings.startupProbe)),
    securityContext: { ...DEFAULTS.containerSecurityContext, ...args.securityContext },
    volumeMounts: [{ name: DEFAULTS.tmpVolume.name, mountPath: DEFAULTS.tmpVolume.mountPath }],
  };
}

function initContainer(container: k8s.core.v1.Container): k8s.core.v1.Container {
  const copy = clonePlain({ securityContext: DEFAULTS.containerSecurityContext, ...container });
  fillResources(copy as Record<string, unknown>);
  return copy;
}

function envVars(args: WorkloadArgs): k8s.core.v1.EnvVar[] | undefined {
  const env: k8s.core.v1.EnvVar[] = [
    ...Object.entries(args.env ?? {}).map(([name, value]) => ({ name, value })),
    ...Object.entries(args.secretEnv ?? {}).map(([name, ref]) => ({
      name, valueFrom: { secretKeyRef: { name: ref.secretName, key: ref.key } },
    })),
  ];
  return env.length > 0 ? env : undefined;
}

/** What is known at construction: Outputs and promises become Pulumi's unknown sentinel, which the rules skip. */
function knownValues(v: unknown): unknown {
  if (pulumi.Output.isInstance(v) || v instanceof Promise) return pulumi.runtime.unknownValue;
  if (Array.isArray(v)) return v.map(knownValues);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, knownValues(x)]));
  return v;
}
