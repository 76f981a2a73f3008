import * as pulumi from "@pulumi/pulumi";
import { Deployment } from "@pulumi/kubernetes/apps/v1";
import { ConfigMap } from "@pulumi/kubernetes/core/v1";
import type * as k8s from "@pulumi/kubernetes/types/input";
import { mockPulumi } from "./mocks";
import { checkObject, ruleById } from "../../policies/rules";
import { applyDefaults, withDefaults } from "../../components/transforms";

const mocks = mockPulumi();
beforeEach(() => mocks.reset());

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const FILLED = { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "256Mi" } };
const READY_TCP = (port: string | number) => ({ tcpSocket: { port }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 });

function deployment(...containers: k8s.core.v1.Container[]) {
  return { metadata: { name: "chart-app" }, spec: { selector: {}, template: { spec: { containers } } } };
}
const containersOf = (props: any) => props.spec.template.spec.containers;
const mandatoryFindings = (props: unknown, type: string) =>
  checkObject(props, { typeToken: type }).filter((f) => ruleById(f.rule)?.defaultLevel === "mandatory");

describe("applyDefaults", () => {
  it("fills missing requests, memory limit and a TCP readiness probe on the first declared port", () => {
    const out = applyDefaults(DEPLOYMENT, deployment({ name: "app", image: "a", ports: [{ containerPort: 6379 }] }));
    expect(containersOf(out)).toEqual([
      { name: "app", image: "a", ports: [{ containerPort: 6379 }], resources: FILLED, readinessProbe: READY_TCP(6379) },
    ]);
  });

  it("probes the port by name when it has one", () => {
    const out = applyDefaults(DEPLOYMENT, deployment({ name: "app", image: "a", ports: [{ name: "redis", containerPort: 6379 }] }));
    expect(containersOf(out)[0].readinessProbe).toEqual(READY_TCP("redis"));
  });

  it("adds no probe to a container that declares no port, and never a liveness probe", () => {
    const out = applyDefaults(DEPLOYMENT, deployment({ name: "app", image: "a" }));
    expect(containersOf(out)).toEqual([{ name: "app", image: "a", resources: FILLED }]);
  });

  it("never overwrites a value that is set, even an invalid or zero one", () => {
    const container = {
      name: "app",
      image: "a",
      ports: [{ containerPort: 80 }],
      resources: { requests: { cpu: "0", memory: "512MB" }, limits: { memory: "1Gi" } },
      readinessProbe: { httpGet: { path: "/", port: 80 } },
    };
    expect(applyDefaults(DEPLOYMENT, deployment(container))).toBeUndefined();
  });

  it("leaves a request out where its limit is set, and never fills a limit below a set request", () => {
    const out = applyDefaults(
      DEPLOYMENT,
      deployment(
        { name: "limited", image: "a", resources: { limits: { cpu: "1", memory: "1Gi" } } },
        { name: "big", image: "a", resources: { requests: { memory: "2Gi" } } },
      ),
    );
    expect(containersOf(out)[0].resources).toEqual({ limits: { cpu: "1", memory: "1Gi" } });
    expect(containersOf(out)[1].resources).toEqual({ requests: { cpu: "250m", memory: "2Gi" }, limits: { memory: "2Gi" } });
  });

  it("uses the values it is given", () => {
    const out = applyDefaults(DEPLOYMENT, deployment({ name: "app", image: "a" }), {
      cpuRequest: "100m",
      memoryRequest: "128Mi",
      memoryLimit: "384Mi",
    });
    expect(containersOf(out)[0].resources).toEqual({ requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "384Mi" } });
  });

  it("gives init containers resources only, and restartable sidecars a probe too", () => {
    const props = deployment({ name: "app", image: "a", ports: [{ containerPort: 80 }] });
    (props.spec.template.spec as any).initContainers = [
      { name: "migrate", image: "m", ports: [{ containerPort: 9 }] },
      { name: "proxy", image: "p", restartPolicy: "Always", ports: [{ containerPort: 15001 }] },
    ];
    const init = (applyDefaults(DEPLOYMENT, props) as any).spec.template.spec.initContainers;
    expect(init[0]).toEqual({ name: "migrate", image: "m", ports: [{ containerPort: 9 }], resources: FILLED });
    expect(init[1].readinessProbe).toEqual(READY_TCP(15001));
  });

  it.each([
    [
      "kubernetes:batch/v1:Job",
      { spec: { template: { spec: { containers: [{ name: "job", image: "j", ports: [{ containerPort: 80 }] }] } } } },
    ],
    [
      "kubernetes:batch/v1:CronJob",
      {
        spec: {
          jobTemplate: { spec: { template: { spec: { containers: [{ name: "job", image: "j", ports: [{ containerPort: 80 }] }] } } } },
        },
      },
    ],
  ])("gives a %s resources, not probes", (type, props) => {
    const out = applyDefaults(type, props);
    const container = JSON.stringify(out).match(/"containers":\[(.*)\]/)![1];
    expect(JSON.parse(container)).toEqual({ name: "job", image: "j", ports: [{ containerPort: 80 }], resources: FILLED });
  });

  it("fills StatefulSets, DaemonSets and every item of a List", () => {
    for (const type of ["kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:DaemonSet"]) {
      expect(containersOf(applyDefaults(type, deployment({ name: "app", image: "a" })))[0].resources).toEqual(FILLED);
    }
    const list = { items: [{ apiVersion: "apps/v1", kind: "Deployment", ...deployment({ name: "app", image: "a" }) }] };
    expect(containersOf((applyDefaults("kubernetes:apps/v1:DeploymentList", list) as any).items[0])[0].resources).toEqual(FILLED);
  });

  it.each([
    ["kubernetes:core/v1:ConfigMap", { data: { a: "b" } }],
    ["kubernetes:core/v1:Service", { spec: { ports: [{ port: 80 }] } }],
    ["kubernetes:apps/v1:DeploymentPatch", deployment({ name: "app", image: "a" })],
    ["azure-native:containerservice:ManagedCluster", { location: "westeurope" }],
  ])("leaves %s alone", (type, props) => {
    expect(applyDefaults(type, props)).toBeUndefined();
  });

  it("never mutates its input, and leaves values not known yet alone", () => {
    const unknownResources = pulumi.output({ limits: { memory: "1Gi" } });
    const props = deployment({ name: "a", image: "a" }, { name: "b", image: "b", resources: unknownResources });
    const before = JSON.stringify(props);
    const out = applyDefaults(DEPLOYMENT, props);
    expect(JSON.stringify(props)).toBe(before);
    expect(containersOf(out)[0].resources).toEqual(FILLED);
    expect(containersOf(out)[1].resources).toBe(unknownResources);
  });

  it("turns a raw Deployment the pack blocks into one that passes every mandatory rule", () => {
    const raw = deployment({ name: "app", image: "a", ports: [{ name: "http", containerPort: 8080 }] });
    expect(
      mandatoryFindings(raw, DEPLOYMENT)
        .map((f) => f.rule)
        .sort(),
    ).toEqual(["readiness-probe-required", "resources-required"]);
    expect(mandatoryFindings(applyDefaults(DEPLOYMENT, raw), DEPLOYMENT)).toEqual([]);
  });
});

describe("withDefaults()", () => {
  it("fills a resource it is attached to as a transform, under Pulumi", async () => {
    new Deployment("chart-app", deployment({ name: "app", image: "a", ports: [{ containerPort: 80 }] }), { transforms: [withDefaults()] });
    const [registered] = await mocks.resources();
    expect(containersOf(registered.inputs)[0]).toMatchObject({ resources: FILLED, readinessProbe: READY_TCP(80) });
    expect(mandatoryFindings(registered.inputs, registered.type)).toEqual([]);
  });

  it("applies stack-wide through registerResourceTransform, leaving other resources alone", async () => {
    pulumi.runtime.registerResourceTransform(withDefaults({ memoryLimit: "512Mi" }));
    new Deployment("yaml-app", deployment({ name: "app", image: "a" }));
    new ConfigMap("settings", { data: { level: "info" } });
    const all = await mocks.resources();
    expect(containersOf(all.find((r) => r.name === "yaml-app")!.inputs)[0].resources).toEqual({ ...FILLED, limits: { memory: "512Mi" } });
    expect(all.find((r) => r.name === "settings")!.inputs).toEqual({ apiVersion: "v1", kind: "ConfigMap", data: { level: "info" } });
  });

  it("returns undefined for components and for resources with nothing to fill", () => {
    const transform = withDefaults();
    const opts = {};
    expect(transform({ custom: false, type: DEPLOYMENT, name: "c", props: deployment({ name: "a", image: "a" }), opts })).toBeUndefined();
    expect(transform({ custom: true, type: "kubernetes:core/v1:ConfigMap", name: "c", props: {}, opts })).toBeUndefined();
  });
});
