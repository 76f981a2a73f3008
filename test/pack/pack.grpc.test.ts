import * as fs from "node:fs";
import * as path from "node:path";
import { RULES } from "../../policies/rules";
import { SECRET_SIG, SECRET_VALUE_SIG } from "../../cli/pack-client";
import { ruleFixtures } from "../support/fixtures";
import { PACK_DIR, asPulumiResource, usePolicyPack } from "../support/pack";

const pack = usePolicyPack();
const fixtures = ruleFixtures();
const fixture = (file: string) => fixtures.find((f) => f.file === file)!.objects[0] as Record<string, unknown>;

describe("the crashguard pack over gRPC, as the Pulumi CLI runs it", () => {
  it("describes itself: one policy per rule, default levels, config schemas", async () => {
    const info = await pack().info();
    const version = JSON.parse(fs.readFileSync(path.join(PACK_DIR, "package.json"), "utf8")).version;
    expect(info.name).toBe("crashguard");
    expect(info.version).toBe(version);
    expect(info.policies.map((p) => [p.name, p.enforcementLevel])).toEqual(RULES.map((r) => [r.id, r.defaultLevel]));
    expect(Object.fromEntries(info.policies.map((p) => [p.name, p.enforcementLevel]))).toMatchObject({
      "resources-required": "mandatory",
      "readiness-probe-required": "mandatory",
      "liveness-probe-required": "advisory",
      "probe-sanity": "advisory",
    });
    for (const p of info.policies) expect(p.configSchema).toHaveProperty("excludeNamespaces");
    expect(info.policies.find((p) => p.name === "resources-required")!.configSchema).toHaveProperty("requireCpuLimit");
  });

  describe("every fixture, sent as a Pulumi resource", () => {
    beforeAll(() => pack().configure({}));

    it.each(fixtures.map((f) => [f.file, f] as const))("%s", async (_file, f) => {
      const diagnostics = (await Promise.all(f.objects.map((o) => pack().analyze(asPulumiResource(o as Record<string, unknown>))))).flat();
      const expectedRules = [...new Set(f.expected.map((e) => e.rule))].sort();
      expect([...new Set(diagnostics.map((d) => d.policyName))].sort()).toEqual(expectedRules);
      for (const d of diagnostics) {
        expect(d.enforcementLevel).toBe(RULES.find((r) => r.id === d.policyName)!.defaultLevel);
        expect(d.message).toContain("field: ");
      }
    });
  });

  it("blocks a bad Deployment with the rule's message, field path and fix", async () => {
    const [d] = await pack().analyze(asPulumiResource(fixture("pod-missing-memory-limit.yaml")));
    expect(d).toMatchObject({
      policyName: "resources-required",
      enforcementLevel: "mandatory",
      urn: "urn:pulumi:test::crashguard::kubernetes:core/v1:Pod::memory-demo",
    });
    expect(d.message).toContain('[memory-demo-ctr] container "memory-demo-ctr" has no memory limit');
    expect(d.message).toContain("field: spec.containers[0].resources.limits.memory");
    expect(d.message).toMatch(/fix:\n\s+resources:\n\s+requests:/);
  });

  it("judges each request for a URN on the inputs it carries, not on an earlier request's", async () => {
    const bad = asPulumiResource(fixture("pod-missing-memory-limit.yaml"));
    const containers = (bad.properties as { spec: { containers: Record<string, unknown>[] } }).spec.containers;
    const good = {
      ...bad,
      properties: {
        ...bad.properties,
        spec: {
          containers: containers.map((c) => ({
            ...c,
            resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "128Mi" } },
          })),
        },
      },
    };
    const resourceFindings = async (r: typeof bad) => (await pack().analyze(r)).filter((d) => d.policyName === "resources-required");
    expect(await resourceFindings(bad)).toHaveLength(1);
    expect(await resourceFindings(good)).toEqual([]);
    expect(await resourceFindings(bad)).toHaveLength(1);
  });

  it("never judges nor prints a value the program marked secret", async () => {
    const secret = (value: unknown) => ({ [SECRET_SIG]: SECRET_VALUE_SIG, value });
    const app = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "secret-values" },
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: "app",
                image: "registry.example.com/app:1.0.0",
                ports: [{ name: "http", containerPort: 8080 }],
                // An invalid quantity the user marked secret: reporting it would print it.
                resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: secret("512MB-hunter2") } },
                readinessProbe: {
                  httpGet: { path: "/ready", port: "http", httpHeaders: [{ name: "Authorization", value: secret("Bearer hunter2") }] },
                  periodSeconds: 1,
                  timeoutSeconds: 1,
                },
              },
            ],
          },
        },
      },
    };
    const diagnostics = await pack().analyze(asPulumiResource(app));
    // The probe is still judged (timeout not below its period) and its fix still shown, without the header's value.
    const sanity = diagnostics.find((d) => d.message.includes("timeoutSeconds"));
    expect(sanity?.message).toContain("[secret]");
    expect(diagnostics.map((d) => d.policyName)).not.toContain("resource-values-valid");
    for (const d of diagnostics) expect(d.message).not.toContain("hunter2");
  });

  describe("configuration through Configure", () => {
    afterAll(() => pack().configure({}));

    it("disables, promotes and parameterises policies", async () => {
      const bare = asPulumiResource(fixture("runbook-no-resources.yaml"));
      await pack().configure({
        "readiness-probe-required": "disabled",
        "liveness-probe-required": "mandatory",
        "resources-required": { requireCpuLimit: true },
      });
      const diagnostics = await pack().analyze(bare);
      expect(diagnostics.map((d) => [d.policyName, d.enforcementLevel])).toEqual([
        ["resources-required", "mandatory"],
        ["liveness-probe-required", "mandatory"],
        ["image-pinned", "advisory"],
      ]);
      expect(diagnostics[0].message).toContain("cpu limit");
    });

    it("skips configured namespaces", async () => {
      await pack().configure({
        "resources-required": { excludeNamespaces: ["mem-example"] },
        "image-pinned": { excludeNamespaces: ["mem-example"] },
      });
      expect(await pack().analyze(asPulumiResource(fixture("pod-missing-memory-limit.yaml")))).toEqual([]);
    });
  });

  it("honours exemption annotations and reports ones without a reason", async () => {
    expect(await pack().analyze(asPulumiResource(fixture("exempt-with-reason.yaml")))).toEqual([]);
    const diagnostics = await pack().analyze(asPulumiResource(fixture("exempt-without-reason.yaml")));
    expect(diagnostics.filter((d) => d.policyName === "exemption-valid").map((d) => d.message)).toEqual([
      expect.stringContaining("gives no reason"),
      expect.stringContaining('unknown rule "no-latest-tag"'),
    ]);
  });

  it("judges what is known during preview and does not fail on unknowns", async () => {
    const manifest = fixture("good-deployment.yaml") as { spec: { template: { spec: { containers: Array<Record<string, unknown>> } } } };
    const container = {
      ...manifest.spec.template.spec.containers[0],
      image: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
      resources: { requests: { cpu: "250m", memory: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" }, limits: { memory: "2Mi" } },
    };
    const withUnknowns = { ...manifest, spec: { ...manifest.spec, template: { spec: { containers: [container] } } } };
    expect(await pack().analyze(asPulumiResource(withUnknowns))).toEqual([]);
  });

  it("runs AnalyzeStack over a whole stack without stack-level complaints", async () => {
    const resources = fixtures.flatMap((f) => f.objects).map((o, i) => asPulumiResource(o as Record<string, unknown>, `r${i}`));
    expect(await pack().analyzeStack(resources)).toEqual([]);
  });

  describe("remediate mode for third-party charts", () => {
    afterAll(() => pack().configure({}));

    it("fills missing requests and limits, keeps what is set, and keeps secrets secret", async () => {
      await pack().configure({ "resources-required": { enforcementLevel: "remediate", defaults: { memoryLimit: "1Gi" } } });
      const chart = {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "chart-web" },
        spec: {
          template: {
            spec: {
              containers: [
                {
                  name: "web",
                  image: "nginx",
                  resources: { requests: { memory: "2Gi" } },
                  env: [{ name: "TOKEN", value: { [SECRET_SIG]: SECRET_VALUE_SIG, value: "hunter2" } }],
                },
              ],
              initContainers: [{ name: "init", image: "busybox" }],
            },
          },
        },
      };
      const [r] = await pack().remediate(asPulumiResource(chart));
      expect(r.policyName).toBe("resources-required");
      const spec = (r.properties as typeof chart).spec.template.spec;
      expect(spec.containers[0].resources).toEqual({ requests: { cpu: "250m", memory: "2Gi" }, limits: { memory: "2Gi" } });
      expect(spec.initContainers[0]).toMatchObject({
        resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "1Gi" } },
      });
      expect(spec.containers[0].env[0].value).toEqual({ [SECRET_SIG]: SECRET_VALUE_SIG, value: "hunter2" });
      // The CLI validates the remediated resource: nothing left for resources-required to report.
      const after = await pack().analyze({ ...asPulumiResource(chart), properties: r.properties! });
      expect(after.map((d) => d.policyName)).not.toContain("resources-required");
    });

    it("leaves complete resources alone", async () => {
      await pack().configure({ "resources-required": "remediate" });
      expect(await pack().remediate(asPulumiResource(fixture("good-deployment.yaml")))).toEqual([]);
    });
  });
});
