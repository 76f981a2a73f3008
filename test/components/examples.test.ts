/**
 * The example programs, run as `pulumi preview` would run them but under mocks, with every
 * Kubernetes resource they register sent to the real policy pack over gRPC.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { type AnalyzedResource, type Diagnostic, SECRET_SIG, SECRET_VALUE_SIG } from "../../cli/pack-client";
import { type CapturedResource, runProgram } from "../../cli/program-runner";
import { readProject } from "../../cli/pulumi-project";
import { checkObject } from "../../policies/rules";
import { usePolicyPack } from "../support/pack";

// Four programs start at once, each a Node process loading the Pulumi SDKs: on a loaded 2-core
// machine that alone can take jest's default 30 s, so a hang is caught at two minutes instead.
jest.setTimeout(120_000);

const EXAMPLES = path.join(__dirname, "..", "..", "examples");
const pack = usePolicyPack();

/** Runs an example under mocks; config keys are given without the project prefix. */
async function preview(example: string, config: Record<string, string> = {}, secretKeys: string[] = []): Promise<CapturedResource[]> {
  const project = readProject(path.join(EXAMPLES, example), "dev");
  const key = (k: string) => `${project.name}:${k}`;
  const run = await runProgram({
    projectDir: project.dir,
    project: project.name,
    stack: "dev",
    main: project.main,
    config: Object.fromEntries(Object.entries(config).map(([k, v]) => [key(k), v])),
    secretKeys: secretKeys.map(key),
  });
  return run.resources;
}

/** Every Kubernetes resource's diagnostics, as "name policy:level" lines. */
async function analyze(resources: AnalyzedResource[]): Promise<string[]> {
  const lines: string[] = [];
  for (const r of resources.filter((r) => r.type.startsWith("kubernetes:"))) {
    const diagnostics: Diagnostic[] = await pack().analyze(r);
    lines.push(...diagnostics.map((d) => `${r.name} ${d.policyName}:${d.enforcementLevel}`));
  }
  return [...new Set(lines)].sort();
}

const API_CLIENT_ID = "6b1c8f1e-0000-4000-8000-000000000001";
const runs: Record<string, Promise<CapturedResource[]>> = {};
beforeAll(() => {
  // Each program runs in a child process of its own; start them all at once.
  runs.platform = preview("platform");
  runs.badApp = preview("bad-app");
  runs.appStackFromPlatform = preview("app-stack", { platformStack: "organization/crashguard-platform/dev", apiClientId: API_CLIENT_ID });
  runs.appStackFromKubeconfig = preview(
    "app-stack",
    { kubeconfig: "apiVersion: v1\nkind: Config", apiClientId: API_CLIENT_ID, sentryDsn: "https://k3y-5ecr3t@sentry.example/1" },
    ["kubeconfig", "sentryDsn"],
  );
});

describe("examples/platform (the root program)", () => {
  it("builds a cluster, a guarded namespace and a Workload that pass every policy of the pack", async () => {
    const resources = await runs.platform;
    expect(resources.map((r) => r.type)).toEqual(
      expect.arrayContaining([
        "crashguard:azure:AksCluster",
        "azure-native:containerservice:ManagedCluster",
        "pulumi:providers:kubernetes",
        "azure-native:containerservice:AgentPool",
        "azure-native:containerservice:MaintenanceConfiguration",
        "azure-native:monitor:DiagnosticSetting",
        "azure-native:authorization:RoleAssignment",
        "crashguard:k8s:GuardedNamespace",
        "kubernetes:core/v1:Namespace",
        "kubernetes:core/v1:LimitRange",
        "crashguard:k8s:Workload",
        "kubernetes:apps/v1:Deployment",
      ]),
    );
    expect(await analyze(resources)).toEqual([]);
  });
});

describe("examples/app-stack", () => {
  it("deploys api and worker through a provider built from the platform stack's kubeconfig", async () => {
    const resources = await runs.appStackFromPlatform;
    expect(resources.map((r) => `${r.type} ${r.name}`).sort()).toEqual([
      "crashguard:k8s:Workload api",
      "crashguard:k8s:Workload worker",
      "kubernetes:apps/v1:Deployment api",
      "kubernetes:apps/v1:Deployment worker",
      "kubernetes:autoscaling/v2:HorizontalPodAutoscaler api",
      "kubernetes:core/v1:ConfigMap api-config",
      "kubernetes:core/v1:ConfigMap api-rollout-gate",
      "kubernetes:core/v1:ConfigMap worker-rollout-gate",
      "kubernetes:core/v1:Service api",
      "kubernetes:core/v1:ServiceAccount api",
      "kubernetes:policy/v1:PodDisruptionBudget api",
      "kubernetes:policy/v1:PodDisruptionBudget worker",
      "pulumi:providers:kubernetes cluster",
      "pulumi:pulumi:Stack crashguard-app-stack-dev",
    ]);
  });

  it("uses volumes, config, autoscaling and workload identity", async () => {
    const resources = await runs.appStackFromPlatform;
    const api = resources.find((r) => r.type === "kubernetes:apps/v1:Deployment" && r.name === "api")!.properties as any;
    const pod = api.spec.template.spec;
    expect(api.spec.replicas).toBeUndefined();
    expect(pod.volumes.map((v: { name: string }) => v.name)).toEqual(["tmp", "settings", "keyvault"]);
    expect(pod.containers[0].env).toContainEqual({
      name: "FEATURE_FLAGS",
      valueFrom: { configMapKeyRef: expect.objectContaining({ key: "FEATURE_FLAGS" }) },
    });
    expect(pod.serviceAccountName).toBe("api");
    expect(api.spec.template.metadata.labels["azure.workload.identity/use"]).toBe("true");
    const account = resources.find((r) => r.type === "kubernetes:core/v1:ServiceAccount")!.properties as any;
    expect(account.metadata.annotations).toEqual({ "azure.workload.identity/client-id": API_CLIENT_ID });
  });

  it.each(["appStackFromPlatform", "appStackFromKubeconfig"])("passes every policy of the pack (%s)", async (run) => {
    expect(await analyze(await runs[run])).toEqual([]);
  });

  it("keeps secret config secret all the way to the pack", async () => {
    const resources = await runs.appStackFromKubeconfig;
    const provider = resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
    expect(provider.properties.kubeconfig).toMatchObject({ [SECRET_SIG]: expect.any(String) });
    const api = resources.find((r) => r.type === "kubernetes:apps/v1:Deployment" && r.name === "api")!;
    const env = (api.properties as any).spec.template.spec.containers[0].env;
    expect(env).toContainEqual({
      name: "SENTRY_DSN",
      value: { [SECRET_SIG]: SECRET_VALUE_SIG, value: "https://k3y-5ecr3t@sentry.example/1" },
    });
  });
});

describe("examples/bad-app", () => {
  const expected = [
    "cronjob-without-resources resources-required:mandatory",
    "limit-below-request resource-values-valid:mandatory",
    "memory-in-mb resource-values-valid:mandatory",
    "no-resources resources-required:mandatory",
    "probe-on-undeclared-port probe-sanity:advisory",
    "probe-timeout-not-below-period probe-sanity:advisory",
  ];

  it("is blocked by the pack, each resource for its own flaw", async () => {
    expect(await analyze(await runs.badApp)).toEqual(expected);
  });

  it("has the same flaws as plain manifests, one file per flaw", () => {
    const dir = path.join(EXAMPLES, "bad-app", "manifests");
    const found = fs
      .readdirSync(dir)
      .flatMap((file) =>
        parseAllDocuments(fs.readFileSync(path.join(dir, file), "utf8")).flatMap((doc) =>
          checkObject(doc.toJS()).map((f) => `${path.basename(file, ".yaml")} ${f.rule}`),
        ),
      );
    expect([...new Set(found)].sort()).toEqual(expected.map((line) => line.replace(/:\w+$/, "")));
  });

  it("is blocked in full with the example's policy config", async () => {
    await pack().configure(JSON.parse(fs.readFileSync(path.join(EXAMPLES, "bad-app", "crashguard-policy.json"), "utf8")));
    expect(await analyze(await runs.badApp)).toEqual(expected.map((line) => line.replace(":advisory", ":mandatory")));
  });
});
