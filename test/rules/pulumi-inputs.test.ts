import { checkObject, parseTypeToken, podTemplates } from "../../policies/rules";

const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const UNKNOWN_OBJECT = "dd056dcd-154b-4c76-9bd3-c8f88648b5ff";

/** Inputs as the Pulumi engine hands them to a policy: no kind on Patch resources, names generated. */
const container = (extra: object = {}) => ({ name: "app", image: "app:1", ports: [{ containerPort: 8080 }], ...extra });
const deploymentInputs = (c: object) => ({ metadata: { namespace: "shop" }, spec: { template: { spec: { containers: [c] } } } });

describe("Pulumi resource inputs", () => {
  it("reads the kind from the type token when the inputs carry none", () => {
    const findings = checkObject(deploymentInputs(container()), { typeToken: "kubernetes:apps/v1:Deployment", name: "payments" });
    expect(findings.map((f) => f.rule)).toEqual(["resources-required", "readiness-probe-required", "liveness-probe-required"]);
    expect(findings[0].resource).toBe("Deployment shop/payments");
  });

  it("understands every workload token, including CronJob's nested template and old API groups", () => {
    expect(parseTypeToken("kubernetes:batch/v1:CronJob")).toEqual({ kind: "CronJob", partial: false, list: false });
    expect(parseTypeToken("kubernetes:apps/v1:DeploymentPatch")).toEqual({ kind: "Deployment", partial: true, list: false });
    expect(parseTypeToken("kubernetes:apps/v1:StatefulSetList")).toEqual({ kind: "StatefulSet", partial: false, list: true });
    const cron = podTemplates(
      { spec: { jobTemplate: { spec: { template: { spec: { containers: [container()] } } } } } },
      { typeToken: "kubernetes:batch/v1beta1:CronJob" },
    );
    expect(cron.map((t) => [t.kind, t.specPath, t.longRunning])).toEqual([["CronJob", "spec.jobTemplate.spec.template.spec", false]]);
  });

  it("does not demand fields a Patch leaves out on purpose, but still judges the values it sets", () => {
    const patch = deploymentInputs(container({ resources: { limits: { memory: "128Mi" }, requests: { memory: "1Gi" } } }));
    const findings = checkObject(patch, { typeToken: "kubernetes:apps/v1:DeploymentPatch", name: "p" });
    expect(findings.map((f) => `${f.rule} ${f.path}`)).toEqual([
      "resource-values-valid spec.template.spec.containers[0].resources.limits.memory",
    ]);
    expect(checkObject({ metadata: { name: "x" } }, { typeToken: "kubernetes:apps/v1:DeploymentPatch" })).toEqual([]);
  });

  it("checks every item of a List resource", () => {
    const list = {
      items: [
        { kind: "Deployment", ...deploymentInputs(container()) },
        { kind: "Job", spec: { template: { spec: { containers: [container()] } } } },
      ],
    };
    const findings = checkObject(list, { typeToken: "kubernetes:apps/v1:DeploymentList" });
    expect(findings.map((f) => f.path)).toContain("items[1].spec.template.spec.containers[0].resources");
    expect(findings.filter((f) => f.path.startsWith("items[1]")).map((f) => f.rule)).toEqual(["resources-required"]);
  });

  it("neither passes nor fails values unknown during preview", () => {
    const unknownResources = container({
      resources: UNKNOWN_OBJECT,
      readinessProbe: { httpGet: { path: "/r", port: 8080 } },
      livenessProbe: { httpGet: { path: "/l", port: 8080 }, initialDelaySeconds: 30 },
    });
    expect(checkObject(deploymentInputs(unknownResources), { typeToken: "kubernetes:apps/v1:Deployment" })).toEqual([]);
    const unknownMemory = container({
      resources: { requests: { cpu: "100m", memory: UNKNOWN_STRING }, limits: { memory: UNKNOWN_STRING } },
    });
    expect(
      checkObject(deploymentInputs(unknownMemory), {
        typeToken: "kubernetes:apps/v1:Deployment",
        rules: ["resources-required", "resource-values-valid"],
      }),
    ).toEqual([]);
    expect(
      checkObject({ spec: { template: { spec: { containers: UNKNOWN_OBJECT } } } }, { typeToken: "kubernetes:apps/v1:Deployment" }),
    ).toEqual([]);
  });

  it("ignores resources that are not workloads", () => {
    expect(checkObject({ spec: { ports: [{ port: 80 }] } }, { typeToken: "kubernetes:core/v1:Service" })).toEqual([]);
    expect(checkObject({ kind: "ConfigMap", data: { a: "b" } })).toEqual([]);
  });
});

describe("configuration", () => {
  const bare = {
    kind: "Deployment",
    metadata: { name: "web", namespace: "shop" },
    spec: { template: { spec: { containers: [container()] } } },
  };

  it("requires a CPU limit only when asked to", () => {
    const withRequests = {
      ...bare,
      spec: {
        template: {
          spec: { containers: [container({ resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "1Gi" } } })] },
        },
      },
    };
    expect(checkObject(withRequests, { rules: ["resources-required"] })).toEqual([]);
    const [f] = checkObject(withRequests, { rules: ["resources-required"], config: { "resources-required": { requireCpuLimit: true } } });
    expect(f.path).toBe("spec.template.spec.containers[0].resources.limits.cpu");
    // The configured 500m would sit below the 1-CPU request, which the API server rejects.
    expect(f.fix).toBe('resources:\n  requests:\n    cpu: "1"\n    memory: 1Gi\n  limits:\n    memory: 1Gi\n    cpu: "1"');
    const small = {
      ...bare,
      spec: {
        template: {
          spec: { containers: [container({ resources: { requests: { cpu: "100m", memory: "1Gi" }, limits: { memory: "1Gi" } } })] },
        },
      },
    };
    expect(
      checkObject(small, { rules: ["resources-required"], config: { "resources-required": { requireCpuLimit: true } } })[0].fix,
    ).toContain("cpu: 500m");
  });

  it("counts a limit as the request the API server will copy from it", () => {
    const limitsOnly = {
      ...bare,
      spec: { template: { spec: { containers: [container({ resources: { limits: { cpu: "1", memory: "1Gi" } } })] } } },
    };
    expect(checkObject(limitsOnly, { rules: ["resources-required"] })).toEqual([]);
  });

  it("treats a zero request as no request, as kube-score does", () => {
    const zero = {
      ...bare,
      spec: {
        template: {
          spec: { containers: [container({ resources: { requests: { cpu: "0", memory: "1Gi" }, limits: { memory: "1Gi" } } })] },
        },
      },
    };
    expect(checkObject(zero, { rules: ["resources-required"] }).map((f) => f.path)).toEqual([
      "spec.template.spec.containers[0].resources.requests.cpu",
    ]);
  });

  it("enforces ratio and min/max bounds when configured", () => {
    const big = {
      ...bare,
      spec: {
        template: {
          spec: { containers: [container({ resources: { requests: { cpu: "50m", memory: "100Mi" }, limits: { memory: "4Gi" } } })] },
        },
      },
    };
    const findings = checkObject(big, {
      rules: ["resource-values-valid"],
      config: { "resource-values-valid": { maxMemoryLimitToRequestRatio: 2, minCpuRequest: "100m", maxMemoryLimit: "2Gi" } },
    });
    expect(findings.map((f) => f.message)).toEqual([
      expect.stringContaining("memory limit 4Gi is 40.96× its request 100Mi; at most 2×"),
      expect.stringContaining("cpu request 50m is below the minimum 100m"),
      expect.stringContaining("memory limit 4Gi is above the maximum 2Gi"),
    ]);
    expect(checkObject(big, { rules: ["resource-values-valid"] })).toEqual([]);
  });

  it("skips excluded namespaces, and kube-system by default", () => {
    expect(checkObject(bare, { config: { "resources-required": { excludeNamespaces: ["shop"] } } }).map((f) => f.rule)).not.toContain(
      "resources-required",
    );
    expect(checkObject({ ...bare, metadata: { name: "x", namespace: "kube-system" } })).toEqual([]);
  });

  it("lets the start-time budget be tuned", () => {
    const probed = {
      ...bare,
      spec: {
        template: {
          spec: {
            containers: [
              container({
                resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "1Gi" } },
                readinessProbe: { tcpSocket: { port: 8080 } },
                livenessProbe: { httpGet: { path: "/healthz", port: 8080 } },
              }),
            ],
          },
        },
      },
    };
    expect(checkObject(probed)).toEqual([]); // 0 + 3 × 10 s = 30 s, the default budget
    const [f] = checkObject(probed, { config: { "probe-sanity": { minStartupSeconds: 120 } } });
    expect(f.message).toContain("before an app that needs 120s is up");
  });
});
