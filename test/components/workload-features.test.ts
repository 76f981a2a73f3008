/**
 * The arguments a real application needs beyond one container: each one's effect on what the
 * Workload registers, and every spec still passing the rule core.
 */
import * as pulumi from "@pulumi/pulumi";
import { checkObject } from "../../policies/rules";
import { type WorkloadArgs, WorkloadArgumentError, WorkloadValidationError, Workload } from "../../components/workload";
import { mockPulumi, valueOf } from "./mocks";
import { catchError, workloadHarness } from "./workload-harness";

const mocks = mockPulumi();
const { deploy, warningsOf } = workloadHarness(mocks);
beforeEach(() => mocks.reset());

type Result = Awaited<ReturnType<typeof deploy>>;

describe("Workload arguments for real applications", () => {
  const cases: Array<[string, Partial<WorkloadArgs>, (r: Result) => void]> = [
    [
      "volumes of every source are declared and mounted in the app container",
      {
        volumes: [
          { name: "config", configMap: { name: "api-config" }, mountPath: "/etc/api", readOnly: true },
          { name: "tls", secret: { secretName: "api-tls" }, mountPath: "/etc/tls", subPath: "tls.crt" },
          { name: "data", persistentVolumeClaim: { claimName: "api-data" }, mountPath: "/data" },
          {
            name: "kv",
            csi: { driver: "secrets-store.csi.k8s.io", readOnly: true, volumeAttributes: { secretProviderClass: "api-kv" } },
            mountPath: "/mnt/secrets",
          },
        ],
      },
      (r) => {
        expect(r.pod.volumes).toEqual([
          { name: "tmp", emptyDir: {} },
          { name: "config", configMap: { name: "api-config" } },
          { name: "tls", secret: { secretName: "api-tls" } },
          { name: "data", persistentVolumeClaim: { claimName: "api-data" } },
          { name: "kv", csi: { driver: "secrets-store.csi.k8s.io", readOnly: true, volumeAttributes: { secretProviderClass: "api-kv" } } },
        ]);
        expect(r.container.volumeMounts).toEqual([
          { name: "tmp", mountPath: "/tmp" },
          { name: "config", mountPath: "/etc/api", readOnly: true },
          { name: "tls", mountPath: "/etc/tls", subPath: "tls.crt" },
          { name: "data", mountPath: "/data" },
          { name: "kv", mountPath: "/mnt/secrets" },
        ]);
      },
    ],
    [
      "a volume of its own at /tmp replaces the default scratch volume",
      { volumes: [{ name: "scratch", emptyDir: { medium: "Memory", sizeLimit: "64Mi" }, mountPath: "/tmp" }] },
      (r) => {
        expect(r.pod.volumes).toEqual([{ name: "scratch", emptyDir: { medium: "Memory", sizeLimit: "64Mi" } }]);
        expect(r.container.volumeMounts).toEqual([{ name: "scratch", mountPath: "/tmp" }]);
      },
    ],
    [
      "configEnv reads ConfigMap keys, envFrom whole ConfigMaps and Secrets",
      {
        configEnv: { FEATURE_FLAGS: { configMapName: "flags", key: "api" } },
        envFrom: [{ configMapRef: { name: "api-config" } }, { secretRef: { name: "api-secrets" }, prefix: "SECRET_" }],
      },
      (r) => {
        expect(r.container.env).toEqual([{ name: "FEATURE_FLAGS", valueFrom: { configMapKeyRef: { name: "flags", key: "api" } } }]);
        expect(r.container.envFrom).toEqual([
          { configMapRef: { name: "api-config" } },
          { secretRef: { name: "api-secrets" }, prefix: "SECRET_" },
        ]);
      },
    ],
    [
      "scheduling: pull secrets, node selector, tolerations, affinity, priority class",
      {
        imagePullSecrets: ["ghcr"],
        nodeSelector: { "kubernetes.azure.com/agentpool": "apps" },
        tolerations: [{ key: "workload", operator: "Equal", value: "apps", effect: "NoSchedule" }],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64"] }] }],
            },
          },
        },
        priorityClassName: "business-critical",
      },
      (r) => {
        expect(r.pod.imagePullSecrets).toEqual([{ name: "ghcr" }]);
        expect(r.pod.nodeSelector).toEqual({ "kubernetes.azure.com/agentpool": "apps" });
        expect(r.pod.tolerations).toEqual([{ key: "workload", operator: "Equal", value: "apps", effect: "NoSchedule" }]);
        expect(
          r.pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key,
        ).toBe("kubernetes.io/arch");
        expect(r.pod.priorityClassName).toBe("business-critical");
      },
    ],
    [
      "sidecars become native sidecars with resources, security context and a readiness probe filled in",
      {
        sidecars: [
          {
            name: "proxy",
            image: "envoyproxy/envoy:v1.31.0",
            ports: [{ name: "admin", containerPort: 9901 }],
            livenessProbe: { httpGet: { path: "/server_info", port: "admin" }, periodSeconds: 10, timeoutSeconds: 3 },
          },
        ],
        initContainers: [{ name: "migrate", image: "ghcr.io/acme/migrate:1.4.2" }],
      },
      (r) => {
        expect(r.pod.initContainers.map((c: { name: string }) => c.name)).toEqual(["proxy", "migrate"]);
        const [proxy, migrate] = r.pod.initContainers;
        expect(proxy.restartPolicy).toBe("Always");
        expect(proxy.resources).toEqual({ requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "256Mi" } });
        expect(proxy.securityContext.capabilities).toEqual({ drop: ["ALL"] });
        expect(proxy.readinessProbe).toEqual({ tcpSocket: { port: "admin" }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 });
        expect(migrate.restartPolicy).toBeUndefined();
        expect(migrate.readinessProbe).toBeUndefined();
      },
    ],
    [
      "extra containers run beside the app with the same defaults",
      {
        extraContainers: [
          {
            name: "metrics",
            image: "ghcr.io/acme/exporter:0.9.1",
            ports: [{ containerPort: 9100 }],
            livenessProbe: { httpGet: { path: "/healthz", port: 9100 }, periodSeconds: 10, timeoutSeconds: 3 },
          },
        ],
      },
      (r) => {
        const metrics = r.pod.containers[1];
        expect(metrics.name).toBe("metrics");
        expect(metrics.resources.limits).toEqual({ memory: "256Mi" });
        expect(metrics.readinessProbe.tcpSocket).toEqual({ port: 9100 });
      },
    ],
    [
      "graceful shutdown: a longer preStop sleep and grace period",
      { preStopSleepSeconds: 15, terminationGracePeriodSeconds: 60 },
      (r) => {
        expect(r.container.lifecycle).toEqual({ preStop: { sleep: { seconds: 15 } } });
        expect(r.pod.terminationGracePeriodSeconds).toBe(60);
      },
    ],
    [
      "graceful shutdown off: no preStop hook, the grace period of the drain alone",
      { preStopSleepSeconds: 0 },
      (r) => {
        expect(r.container.lifecycle).toBeUndefined();
        expect(r.pod.terminationGracePeriodSeconds).toBe(30);
      },
    ],
    [
      "Service type, annotations and extra ports",
      {
        serviceType: "LoadBalancer",
        serviceAnnotations: { "service.beta.kubernetes.io/azure-load-balancer-internal": "true" },
        extraPorts: [{ name: "grpc", containerPort: 9000, servicePort: 90 }],
      },
      (r) => {
        expect(r.container.ports).toEqual([
          { name: "http", containerPort: 8080 },
          { name: "grpc", containerPort: 9000 },
        ]);
        expect(r.service!.inputs.metadata.annotations).toEqual({ "service.beta.kubernetes.io/azure-load-balancer-internal": "true" });
        expect(r.service!.inputs.spec).toMatchObject({
          type: "LoadBalancer",
          ports: [
            { name: "http", port: 8080, targetPort: "http" },
            { name: "grpc", port: 90, targetPort: "grpc" },
          ],
        });
      },
    ],
    [
      "an Ingress on AKS application routing to the Service",
      { ingress: { host: "api.example.com", tlsSecretName: "api-tls" }, servicePort: 80 },
      (r) => {
        expect(r.ingress!.inputs.spec).toEqual({
          ingressClassName: "webapprouting.kubernetes.azure.com",
          rules: [
            {
              host: "api.example.com",
              http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "api", port: { number: 80 } } } }] },
            },
          ],
          tls: [{ hosts: ["api.example.com"], secretName: "api-tls" }],
        });
      },
    ],
    [
      "rolling update parameters and minReadySeconds",
      { rollingUpdate: { maxSurge: 1 }, minReadySeconds: 10 },
      (r) => {
        expect(r.spec.strategy.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
        expect(r.spec.minReadySeconds).toBe(10);
      },
    ],
    [
      "StatefulSet volumeClaimTemplates, mounted in the app container",
      {
        kind: "StatefulSet",
        volumeClaims: [{ name: "data", mountPath: "/var/lib/db", storage: "20Gi", storageClassName: "managed-csi-premium" }],
      },
      (r) => {
        expect(r.spec.volumeClaimTemplates).toEqual([
          {
            metadata: { name: "data" },
            spec: { accessModes: ["ReadWriteOnce"], storageClassName: "managed-csi-premium", resources: { requests: { storage: "20Gi" } } },
          },
        ]);
        expect(r.container.volumeMounts).toContainEqual({ name: "data", mountPath: "/var/lib/db" });
      },
    ],
    [
      "the escape hatch: podSpec and container merged last, key by key",
      {
        podSpec: { dnsPolicy: "None", dnsConfig: { nameservers: ["10.0.0.10"] }, securityContext: { fsGroup: 2000 } },
        container: { workingDir: "/srv", resources: { limits: { cpu: "2" } } },
      },
      (r) => {
        expect(r.pod.dnsPolicy).toBe("None");
        expect(r.pod.dnsConfig).toEqual({ nameservers: ["10.0.0.10"] });
        expect(r.pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" }, fsGroup: 2000 });
        expect(r.container.workingDir).toBe("/srv");
        expect(r.container.resources).toEqual({ requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "256Mi", cpu: "2" } });
      },
    ],
  ];

  it.each(cases)("%s", async (_title, args, check) => {
    const result = await deploy("api", args);
    check(result);
    expect(checkObject(result.deployment.inputs, { typeToken: result.deployment.type })).toEqual([]);
  });
});

describe("Workload autoscaling", () => {
  it("creates an autoscaling/v2 HPA and leaves spec.replicas to it", async () => {
    const { spec, hpa, pdb, workload } = await deploy("api", { autoscaling: { min: 3, max: 10, memoryUtilization: 80 } });
    expect(spec).not.toHaveProperty("replicas");
    expect(hpa!.inputs.spec).toEqual({
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "api" },
      minReplicas: 3,
      maxReplicas: 10,
      metrics: [{ type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: 80 } } }],
    });
    expect(pdb!.inputs.spec.maxUnavailable).toBe(1);
    expect(workload.autoscaler).toBeDefined();
  });

  it("targets 70 % cpu when no target is given, and keeps no budget when min is 1", async () => {
    const { hpa, pdb } = await deploy("api", { autoscaling: { min: 1, max: 4 } });
    expect(hpa!.inputs.spec.metrics).toEqual([
      { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } },
    ]);
    expect(pdb).toBeUndefined();
  });

  it.each<[string, Partial<WorkloadArgs>, RegExp]>([
    ["replicas beside autoscaling", { replicas: 3, autoscaling: { min: 2, max: 5 } }, /`replicas` and `autoscaling` are both set/],
    ["max below min", { autoscaling: { min: 4, max: 2 } }, /`autoscaling\.max` is 2; .*at least `autoscaling\.min` \(4\)/],
    ["min of 0", { autoscaling: { min: 0, max: 2 } }, /`autoscaling\.min` is 0/],
    [
      "a grace period not above the preStop sleep",
      { preStopSleepSeconds: 20, terminationGracePeriodSeconds: 20 },
      /`terminationGracePeriodSeconds` \(20\) is not above `preStopSleepSeconds` \(20\)/,
    ],
    [
      "volumeClaims on a Deployment",
      { volumeClaims: [{ name: "d", mountPath: "/d", storage: "1Gi" }] },
      /`volumeClaims` needs `kind: "StatefulSet"`/,
    ],
    [
      "an ingress without a Service",
      { ingress: { host: "a.example.com" }, service: false },
      /`ingress` routes to the Service, but `service` is false/,
    ],
  ])("refuses %s, naming the arguments", (_title, args, message) => {
    const error = catchError(() => new Workload("api", { image: "app:1", ...args }));
    expect(error).toBeInstanceOf(WorkloadArgumentError);
    expect(error.message).toMatch(message);
  });
});

describe("Workload identity", () => {
  it("annotates a ServiceAccount with the client id and labels the pods for the webhook", async () => {
    const clientId = pulumi.output("6b1c8f1e-0000-4000-8000-000000000001");
    const { serviceAccount, pod, spec, deployment, workload, credential } = await deploy("api", {
      namespace: "shop",
      workloadIdentity: { clientId },
    });
    expect(serviceAccount!.inputs.metadata).toMatchObject({
      name: "api",
      namespace: "shop",
      annotations: { "azure.workload.identity/client-id": "6b1c8f1e-0000-4000-8000-000000000001" },
    });
    expect(serviceAccount!.parent).toBe(await valueOf(workload.urn));
    expect(pod.serviceAccountName).toBe("api");
    expect(spec.template.metadata.labels["azure.workload.identity/use"]).toBe("true");
    // The webhook label is on the pods only: the selector stays as it was, so adding identity never orphans pods.
    expect(spec.selector).toEqual({ matchLabels: { "app.kubernetes.io/name": "api" } });
    expect(deployment.inputs.metadata.labels).not.toHaveProperty("azure.workload.identity/use");
    expect(credential).toBeUndefined();
  });

  it("creates the federated credential for the ServiceAccount against the OIDC issuer", async () => {
    const { credential, pod } = await deploy("api", {
      namespace: "shop",
      workloadIdentity: {
        clientId: "6b1c8f1e-0000-4000-8000-000000000001",
        serviceAccountName: "payments",
        federatedCredential: {
          oidcIssuerUrl: "https://westeurope.oic.prod-aks.azure.com/tenant/issuer/",
          identityName: "payments-id",
          resourceGroupName: "rg-apps",
        },
      },
    });
    expect(pod.serviceAccountName).toBe("payments");
    expect(credential!.inputs).toEqual({
      resourceGroupName: "rg-apps",
      resourceName: "payments-id",
      issuer: "https://westeurope.oic.prod-aks.azure.com/tenant/issuer/",
      subject: "system:serviceaccount:shop:payments",
      audiences: ["api://AzureADTokenExchange"],
    });
  });

  it("refuses a federated credential without a namespace, and a second service account name", () => {
    const federatedCredential = { oidcIssuerUrl: "https://issuer", identityName: "id", resourceGroupName: "rg" };
    expect(
      catchError(() => new Workload("api", { image: "app:1", workloadIdentity: { clientId: "c", federatedCredential } })).message,
    ).toMatch(/`workloadIdentity.federatedCredential` .* set `namespace`/);
    expect(
      catchError(() => new Workload("api", { image: "app:1", serviceAccountName: "x", workloadIdentity: { clientId: "c" } })).message,
    ).toMatch(/`serviceAccountName` and `workloadIdentity` are both set/);
  });
});

describe("what the user adds is checked like the rest", () => {
  it.each<[string, Partial<WorkloadArgs>, string, RegExp]>([
    [
      "a sidecar with a bad override",
      { sidecars: [{ name: "proxy", image: "envoy:1", ports: [{ containerPort: 9901 }], resources: { limits: { memory: "512MB" } } }] },
      "resource-values-valid",
      /argument `sidecars\[0\]\.resources\.limits\.memory`: sidecar "proxy": .*512MB/,
    ],
    [
      "a sidecar with nothing to probe",
      { sidecars: [{ name: "shipper", image: "fluent-bit:3" }] },
      "readiness-probe-required",
      /argument `sidecars\[0\]\.readinessProbe`: sidecar "shipper" has no readinessProbe/,
    ],
    [
      "an extra container with a limit below its request",
      {
        extraContainers: [
          {
            name: "metrics",
            image: "exporter:1",
            ports: [{ containerPort: 9100 }],
            resources: { requests: { memory: "1Gi" }, limits: { memory: "128Mi" } },
          },
        ],
      },
      "resource-values-valid",
      /argument `extraContainers\[0\]\.resources\.limits\.memory`/,
    ],
    [
      "a container override removing the resources",
      { container: { resources: null as never } },
      "resources-required",
      /argument `container\.resources`: container "api" has no/,
    ],
    [
      "a podSpec override replacing the containers",
      { podSpec: { containers: [{ name: "raw", image: "raw:1" }] } },
      "resources-required",
      /argument `podSpec\.containers\[0\]\.resources`: container "raw" has no/,
    ],
  ])("refuses %s with the rule id and the argument", (_title, args, rule, message) => {
    const error = catchError(() => new Workload("api", { image: "app:1", ...args }));
    expect(error).toBeInstanceOf(WorkloadValidationError);
    expect((error as WorkloadValidationError).findings.map((f) => f.rule)).toContain(rule);
    expect(error.message).toMatch(message);
  });
});

describe("enforcement levels at construction", () => {
  const fastLiveness: Partial<WorkloadArgs> = { probeTimings: { livenessProbe: { periodSeconds: 5, timeoutSeconds: 1 } } };

  it("turns an unpinned image into a warning on the component, with the fix in argument terms", async () => {
    const warnings = await warningsOf(() => new Workload("web", { image: "nginx" }));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/Workload "web": \[image-pinned\] argument `image`: container "web": image "nginx" has no tag/);
    expect(warnings[0]).toContain('image: "nginx:<version>"');
    expect((await mocks.resources()).map((r) => r.type)).toContain("kubernetes:apps/v1:Deployment");
  });

  it("fails on an advisory rule the policyConfig argument makes mandatory", () => {
    const error = catchError(() => new Workload("api", { image: "app:1", ...fastLiveness, policyConfig: { "probe-sanity": "mandatory" } }));
    expect(error).toBeInstanceOf(WorkloadValidationError);
    expect((error as WorkloadValidationError).findings.map((f) => [f.rule, f.level])).toEqual([["probe-sanity", "mandatory"]]);
  });

  it("warns only, for a mandatory rule set to advisory; says nothing for a disabled one", async () => {
    const dropped = { container: { resources: null as never } };
    const warnings = await warningsOf(
      () => new Workload("api", { image: "app:1", ...dropped, policyConfig: { "resources-required": "advisory" } }),
    );
    expect(warnings.join("\n")).toMatch(/\[resources-required\] argument `container\.resources`/);
    mocks.reset();
    expect(
      await warningsOf(() => new Workload("api", { image: "app:1", ...fastLiveness, policyConfig: { "probe-sanity": "disabled" } })),
    ).toEqual([]);
  });

  it("reads the levels from stack config crashguard:policyConfig, the argument winning key by key", async () => {
    pulumi.runtime.setConfig("crashguard:policyConfig", JSON.stringify({ all: "mandatory", "image-pinned": "advisory" }));
    try {
      const error = catchError(() => new Workload("api", { image: "app", ...fastLiveness }));
      expect((error as WorkloadValidationError).findings.map((f) => f.rule)).toEqual(["probe-sanity"]);
      const warnings = await warningsOf(
        () => new Workload("api", { image: "app", ...fastLiveness, policyConfig: { "probe-sanity": "advisory" } }),
      );
      expect(warnings.map((w) => /"api": \[([a-z-]+)\]/.exec(w)![1]).sort()).toEqual(["image-pinned", "probe-sanity"]);
    } finally {
      pulumi.runtime.setConfig("crashguard:policyConfig", "{}");
    }
  });

  it("refuses a policy config with an unknown level, naming where it came from", () => {
    const error = catchError(() => new Workload("api", { image: "app:1", policyConfig: { "probe-sanity": "strict" as never } }));
    expect(error).toBeInstanceOf(WorkloadArgumentError);
    expect(error.message).toMatch(
      /argument `policyConfig`: "probe-sanity" has enforcement level "strict"; use one of advisory, mandatory, remediate, disabled/,
    );
  });
});
