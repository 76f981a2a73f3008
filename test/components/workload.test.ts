import * as pulumi from "@pulumi/pulumi";
import { Provider } from "@pulumi/kubernetes/provider";
import { mockPulumi, valueOf } from "./mocks";
import { checkObject } from "../../policies/rules";
import { SECRET_SIG, SECRET_VALUE_SIG } from "../../cli/pack-client";
import { Workload, type WorkloadArgs, WorkloadValidationError } from "../../components/workload";
import { catchError, workloadHarness } from "./workload-harness";

const mocks = mockPulumi();
beforeEach(() => mocks.reset());

const { deploy, warningsOf } = workloadHarness(mocks);

describe("Workload defaults", () => {
  it("registers a component with a Deployment, Service and PodDisruptionBudget as its children", async () => {
    const { workload, all } = await deploy("api", { namespace: "shop" });
    expect(all.map((r) => `${r.type} ${r.parent ?? "(root)"}`)).toEqual(
      expect.arrayContaining([
        "crashguard:k8s:Workload (root)",
        "kubernetes:apps/v1:Deployment urn:pulumi:test::crashguard::crashguard:k8s:Workload::api",
        "kubernetes:core/v1:Service urn:pulumi:test::crashguard::crashguard:k8s:Workload::api",
        "kubernetes:policy/v1:PodDisruptionBudget urn:pulumi:test::crashguard::crashguard:k8s:Workload::api",
        "kubernetes:core/v1:ConfigMap urn:pulumi:test::crashguard::crashguard:k8s:Workload::api",
      ]),
    );
    expect(all).toHaveLength(5);
    expect(await valueOf(workload.deployment!.urn)).toBe(
      "urn:pulumi:test::crashguard::crashguard:k8s:Workload$kubernetes:apps/v1:Deployment::api",
    );
    expect(await valueOf(workload.name)).toBe("api");
    expect(await valueOf(workload.namespace)).toBe("shop");
    expect(workload.statefulSet).toBeUndefined();
  });

  it("fills the Deployment from the defaults table", async () => {
    const { deployment, spec, pod, container } = await deploy("api", { namespace: "shop" });
    expect(deployment.inputs.metadata).toEqual({
      name: "api",
      namespace: "shop",
      labels: { "app.kubernetes.io/name": "api" },
      annotations: { "pulumi.com/skipAwait": "true" },
    });
    expect(spec).toMatchObject({
      replicas: 2,
      selector: { matchLabels: { "app.kubernetes.io/name": "api" } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } },
      progressDeadlineSeconds: 300,
    });
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(pod.topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: "topology.kubernetes.io/zone",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: { "app.kubernetes.io/name": "api" } },
      },
    ]);
    expect(pod.volumes).toEqual([{ name: "tmp", emptyDir: {} }]);
    expect(container).toEqual({
      name: "api",
      image: "ghcr.io/acme/api:1.4.2",
      ports: [{ name: "http", containerPort: 8080 }],
      resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "256Mi" } },
      readinessProbe: { httpGet: { path: "/ready", port: "http" }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
      livenessProbe: { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
      securityContext: {
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
      },
      lifecycle: { preStop: { sleep: { seconds: 5 } } },
      volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
    });
    expect(pod.terminationGracePeriodSeconds).toBe(35);
  });

  it("adds a Service on the named port and a budget of maxUnavailable 1", async () => {
    const { service, pdb } = await deploy("api");
    expect(service!.inputs.spec).toEqual({
      selector: { "app.kubernetes.io/name": "api" },
      ports: [{ name: "http", port: 8080, targetPort: "http" }],
    });
    expect(pdb!.inputs.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { "app.kubernetes.io/name": "api" } } });
  });

  it("registers a Deployment the rule core passes with no findings at all", async () => {
    const { deployment } = await deploy("api");
    expect(checkObject(deployment.inputs, { typeToken: deployment.type })).toEqual([]);
  });
});

describe("Workload overrides", () => {
  type Result = Awaited<ReturnType<typeof deploy>>;
  const cases: Array<[string, Partial<WorkloadArgs>, (r: Result) => void]> = [
    [
      "replicas: 1 has no budget",
      { replicas: 1 },
      (r) => {
        expect(r.spec.replicas).toBe(1);
        expect(r.pdb).toBeUndefined();
      },
    ],
    ["pdb: true keeps a budget on one replica", { replicas: 1, pdb: true }, (r) => expect(r.pdb!.inputs.spec.maxUnavailable).toBe(1)],
    ["pdb: false drops it", { replicas: 3, pdb: false }, (r) => expect(r.pdb).toBeUndefined()],
    [
      "port and portName reach the container, probes and Service",
      { port: 3000, portName: "web", servicePort: 80 },
      (r) => {
        expect(r.container.ports).toEqual([{ name: "web", containerPort: 3000 }]);
        expect(r.container.readinessProbe.httpGet.port).toBe("web");
        expect(r.container.livenessProbe.httpGet.port).toBe("web");
        expect(r.service!.inputs.spec.ports).toEqual([{ name: "web", port: 80, targetPort: "web" }]);
      },
    ],
    ["service: false drops the Service", { service: false }, (r) => expect(r.service).toBeUndefined()],
    [
      "probe paths",
      { readinessPath: "/readyz", livenessPath: "/livez" },
      (r) => {
        expect(r.container.readinessProbe.httpGet.path).toBe("/readyz");
        expect(r.container.livenessProbe.httpGet.path).toBe("/livez");
      },
    ],
    [
      "probe timings override only what they set",
      { probeTimings: { readinessProbe: { periodSeconds: 5, timeoutSeconds: 2 }, livenessProbe: { failureThreshold: 6 } } },
      (r) => {
        expect(r.container.readinessProbe).toMatchObject({ periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 });
        expect(r.container.livenessProbe).toMatchObject({ periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 6 });
      },
    ],
    [
      "full probes replace the derived ones",
      {
        readinessProbe: { exec: { command: ["/bin/ready"] }, periodSeconds: 10, timeoutSeconds: 3 },
        livenessProbe: { grpc: { port: 8080 }, periodSeconds: 10, timeoutSeconds: 3 },
        startupProbe: { tcpSocket: { port: "http" }, periodSeconds: 5, failureThreshold: 12 },
      },
      (r) => {
        expect(r.container.readinessProbe).toEqual({ exec: { command: ["/bin/ready"] }, periodSeconds: 10, timeoutSeconds: 3 });
        expect(r.container.livenessProbe).toEqual({ grpc: { port: 8080 }, periodSeconds: 10, timeoutSeconds: 3 });
        expect(r.container.startupProbe).toEqual({ tcpSocket: { port: "http" }, periodSeconds: 5, failureThreshold: 12 });
      },
    ],
    [
      "startupSeconds adds a startup probe of ceil(seconds / 5) tries and a longer deadline",
      { startupSeconds: 301 },
      (r) => {
        expect(r.container.startupProbe).toEqual({
          httpGet: { path: "/healthz", port: "http" },
          periodSeconds: 5,
          timeoutSeconds: 3,
          failureThreshold: 61,
        });
        expect(r.spec.progressDeadlineSeconds).toBe(451);
      },
    ],
    [
      "resources: memory limit follows the request unless set",
      { resources: { cpuRequest: "1", memoryRequest: "1Gi" } },
      (r) => expect(r.container.resources).toEqual({ requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "1Gi" } }),
    ],
    [
      "resources: limits as given",
      { resources: { memoryLimit: "2Gi", cpuLimit: "2" } },
      (r) => expect(r.container.resources).toEqual({ requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "2Gi", cpu: "2" } }),
    ],
    [
      "env and secretEnv",
      { env: { LOG_LEVEL: "info" }, secretEnv: { DB_PASSWORD: { secretName: "db", key: "password" } } },
      (r) =>
        expect(r.container.env).toEqual([
          { name: "LOG_LEVEL", value: "info" },
          { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } },
        ]),
    ],
    [
      "command and args",
      { command: ["/app/server"], args: ["--port", "8080"] },
      (r) => {
        expect(r.container.command).toEqual(["/app/server"]);
        expect(r.container.args).toEqual(["--port", "8080"]);
      },
    ],
    [
      "init containers get default resources and security context, keeping what they set",
      {
        initContainers: [
          { name: "migrate", image: "ghcr.io/acme/migrate:1" },
          { name: "warm", image: "ghcr.io/acme/warm:1", resources: { requests: { memory: "1Gi" } }, securityContext: { runAsUser: 1000 } },
        ],
      },
      (r) => {
        expect(r.pod.initContainers[0].resources).toEqual({ requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "256Mi" } });
        expect(r.pod.initContainers[0].securityContext.capabilities).toEqual({ drop: ["ALL"] });
        expect(r.pod.initContainers[1].resources).toEqual({ requests: { cpu: "250m", memory: "1Gi" }, limits: { memory: "1Gi" } });
        expect(r.pod.initContainers[1].securityContext).toEqual({ runAsUser: 1000 });
      },
    ],
    [
      "labels reach every resource and the pods; the selector label wins",
      { labels: { team: "payments", "app.kubernetes.io/name": "other" } },
      (r) => {
        const labels = { team: "payments", "app.kubernetes.io/name": "api" };
        expect(r.deployment.inputs.metadata.labels).toEqual(labels);
        expect(r.spec.template.metadata.labels).toEqual(labels);
        expect(r.service!.inputs.metadata.labels).toEqual(labels);
        expect(r.spec.selector).toEqual({ matchLabels: { "app.kubernetes.io/name": "api" } });
      },
    ],
    [
      "annotations on the workload, podAnnotations on the pods",
      { annotations: { "pulumi.com/skipAwait": "true" }, podAnnotations: { "prometheus.io/scrape": "true" } },
      (r) => {
        expect(r.deployment.inputs.metadata.annotations).toEqual({ "pulumi.com/skipAwait": "true" });
        expect(r.spec.template.metadata.annotations).toEqual({ "prometheus.io/scrape": "true" });
      },
    ],
    ["serviceAccountName", { serviceAccountName: "api-sa" }, (r) => expect(r.pod.serviceAccountName).toBe("api-sa")],
    [
      "security contexts merge over the defaults",
      { securityContext: { readOnlyRootFilesystem: false, runAsUser: 10001 }, podSecurityContext: { fsGroup: 2000 } },
      (r) => {
        expect(r.container.securityContext).toMatchObject({
          readOnlyRootFilesystem: false,
          runAsUser: 10001,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ["ALL"] },
        });
        expect(r.pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" }, fsGroup: 2000 });
      },
    ],
    [
      "kind: StatefulSet with a headless governing Service",
      { kind: "StatefulSet" },
      (r) => {
        expect(r.deployment.type).toBe("kubernetes:apps/v1:StatefulSet");
        expect(r.spec.serviceName).toBe("api");
        expect(r.spec.strategy).toBeUndefined();
        expect(r.spec.progressDeadlineSeconds).toBeUndefined();
        expect(r.service!.inputs.spec.clusterIP).toBe("None");
        expect(r.workload.statefulSet).toBeDefined();
        expect(r.workload.deployment).toBeUndefined();
      },
    ],
  ];

  it.each(cases)("%s", async (_title, args, check) => {
    const result = await deploy("api", args);
    check(result);
    expect(checkObject(result.deployment.inputs, { typeToken: result.deployment.type })).toEqual([]);
  });

  it("binds deploymentHooks to the Deployment itself, not the component", async () => {
    const hook = new pulumi.ResourceHook("verify-api", () => undefined);
    const { all } = await deploy("api", {}, { deploymentHooks: { afterCreate: [hook], afterUpdate: [hook] } });
    const hooks = Object.fromEntries(all.map((r) => [r.type, r.hooks]));
    expect(hooks["kubernetes:apps/v1:Deployment"]).toEqual({ afterCreate: ["verify-api"], afterUpdate: ["verify-api"] });
    expect(hooks["crashguard:k8s:Workload"]).toEqual({ afterCreate: [], afterUpdate: [] });
  });

  it("verifies every rollout by default, in place of the provider's 10-minute await", async () => {
    const { all, deployment } = await deploy("web", {});
    expect(all.find((r) => r.type === "kubernetes:core/v1:ConfigMap")!.beforeHooks).toEqual({
      beforeCreate: ["crashguard-verify-web"],
      beforeUpdate: ["crashguard-verify-web"],
    });
    expect(deployment.inputs.metadata.annotations).toEqual({ "pulumi.com/skipAwait": "true" });
  });

  it("lets a workload opt out of verification, keeping the provider's await", async () => {
    const { all, deployment } = await deploy("batch", { verify: false });
    expect(all.find((r) => r.type === "kubernetes:apps/v1:Deployment")!.hooks).toEqual({ afterCreate: [], afterUpdate: [] });
    expect(deployment.inputs.metadata.annotations).toBeUndefined();
  });

  it("keeps the user's own await annotations over ours", async () => {
    const { deployment } = await deploy("slow", { annotations: { "pulumi.com/skipAwait": "false", "pulumi.com/timeoutSeconds": "900" } });
    expect(deployment.inputs.metadata.annotations).toEqual({ "pulumi.com/skipAwait": "false", "pulumi.com/timeoutSeconds": "900" });
  });

  it("hands the provider given to the component down to every child", async () => {
    const provider = new Provider("aks", { kubeconfig: "apiVersion: v1" });
    const { all } = await deploy("api", { kubeconfig: "apiVersion: v1" }, { provider });
    const children = all.filter((r) => r.parent?.endsWith("crashguard:k8s:Workload::api"));
    expect(children.map((r) => r.provider)).toEqual(
      [0, 1, 2, 3].map(() => "urn:pulumi:test::crashguard::pulumi:providers:kubernetes::aks::aks-id"),
    );
  });
});

describe("Workload secrets", () => {
  it("keeps a secret env value secret", async () => {
    const { container } = await deploy("api", { env: { API_TOKEN: pulumi.secret("tok-3f9a1c") } });
    expect(container.env).toEqual([{ name: "API_TOKEN", value: { [SECRET_SIG]: SECRET_VALUE_SIG, value: "tok-3f9a1c" } }]);
  });

  it("never puts env values in a validation error", () => {
    const error = catchError(
      () =>
        new Workload("api", {
          image: "app:1",
          env: { PASSWORD: "plain-pw-7781", TOKEN: pulumi.secret("tok-3f9a1c") },
          resources: { memoryLimit: "512MB" },
        }),
    );
    expect(error.message).not.toContain("plain-pw-7781");
    expect(error.message).not.toContain("tok-3f9a1c");
  });
});

describe("Workload construction-time validation", () => {
  it.each<[string, Partial<WorkloadArgs>, string, RegExp]>([
    [
      "a memory limit in MB",
      { resources: { memoryLimit: "512MB" } },
      "resource-values-valid",
      /^Workload "api": \[resource-values-valid\] argument `resources\.memoryLimit`: container "api": spec\.template\.spec\.containers\[0\]\.resources\.limits\.memory is invalid: .*512MB.*\n {2}field: .*\n {2}fix:\n {4}resources: \{ memoryLimit: "512Mi" \}$/,
    ],
    [
      "a limit below the request",
      { resources: { memoryRequest: "1Gi", memoryLimit: "512Mi" } },
      "resource-values-valid",
      /argument `resources\.memoryLimit`: container "api": memory limit 512Mi is below its request 1Gi; the API server rejects this\n {2}field: spec\.template\.spec\.containers\[0\]\.resources\.limits\.memory\n {2}fix:\n {4}resources: \{ memoryLimit: "1Gi" \}$/,
    ],
    [
      "a zero memory request",
      { resources: { memoryRequest: "0", memoryLimit: "1Gi" } },
      "resources-required",
      /argument `resources.memoryRequest`: container "api" has no memory request/,
    ],
    [
      "a bad init container",
      { initContainers: [{ name: "migrate", image: "m:1", resources: { limits: { memory: "1.5.5" } } }] },
      "resource-values-valid",
      /argument `initContainers\[0\]\.resources\.limits\.memory`: init container "migrate"/,
    ],
  ])("rejects %s with the rule core's id, the argument, message, field and fix", (_title, args, rule, message) => {
    const error = catchError(() => new Workload("api", { image: "app:1", ...args }));
    expect(error).toBeInstanceOf(WorkloadValidationError);
    expect((error as WorkloadValidationError).findings.map((f) => f.rule)).toContain(rule);
    expect(error.message).toMatch(message);
    expect(error.message).toContain(`Workload "api": [${rule}]`);
  });

  it.each<[string, Partial<WorkloadArgs>, RegExp]>([
    [
      "a liveness timeout not below its period",
      { probeTimings: { livenessProbe: { timeoutSeconds: 10 } } },
      /argument `probeTimings\.livenessProbe\.timeoutSeconds`: container "api": livenessProbe timeoutSeconds \(10\) is not below periodSeconds \(10\)[^]*fix:\n {4}probeTimings: \{ livenessProbe: \{ /,
    ],
    [
      "liveness checking the readiness path",
      { livenessPath: "/ready" },
      /argument `livenessPath`: .*livenessProbe uses the same httpGet check as readinessProbe[^]*fix:\n {4}readinessPath: "\/ready", livenessPath: "\/healthz"/,
    ],
    [
      "a liveness probe that kills before a 30 s start",
      { probeTimings: { livenessProbe: { periodSeconds: 5, timeoutSeconds: 1 } } },
      /argument `probeTimings\.livenessProbe`: .*add a startupProbe[^]*fix:\n {4}startupSeconds: 150/,
    ],
    [
      "a probe on an undeclared port name",
      { readinessProbe: { httpGet: { path: "/ready", port: "metrics" } } },
      /argument `readinessProbe\.httpGet\.port`: .*uses port "metrics", but the container declares no port by that name[^]*fix:\n {4}readinessProbe: probe `portName` \("http"\), or declare the port in `extraPorts`/,
    ],
  ])("warns on %s (probe-sanity is advisory by default), naming the argument and the fix in its terms", async (_title, args, message) => {
    const warnings = await warningsOf(() => new Workload("api", { image: "app:1", ...args }));
    expect(warnings.join("\n")).toMatch(/Workload "api": \[probe-sanity\] /);
    expect(warnings.join("\n")).toMatch(message);
    expect((await mocks.resources()).some((r) => r.type === "kubernetes:apps/v1:Deployment")).toBe(true);
  });

  it("registers nothing for a rejected workload", async () => {
    catchError(() => new Workload("broken", { image: "app:1", resources: { memoryLimit: "512MB" } }));
    expect((await mocks.resources()).filter((r) => r.name === "broken")).toEqual([]);
  });

  it("honours an exemption annotation with a reason, as the pack does", async () => {
    const fastLiveness = { probeTimings: { livenessProbe: { periodSeconds: 5, timeoutSeconds: 1 } } };
    expect(await warningsOf(() => new Workload("api", { image: "app:1", ...fastLiveness }))).toHaveLength(1);
    mocks.reset();
    const warnings = await warningsOf(
      () =>
        new Workload("api", {
          image: "app:1",
          ...fastLiveness,
          annotations: { "crashguard.dev/exempt": "probe-sanity: starts in 2 s, restart fast on hang" },
        }),
    );
    expect(warnings).toEqual([]);
  });

  it("judges only what is known: Output values are skipped, not guessed", async () => {
    const { container } = await deploy("api", { readinessProbe: pulumi.output({ exec: { command: ["/bin/ready"] } }) as never });
    expect(container.readinessProbe).toEqual({ exec: { command: ["/bin/ready"] } });
  });
});
