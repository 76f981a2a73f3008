/**
 * Every part that fills in a container's defaults fills in the same values: the pack's fix, its
 * remediate mode, `withDefaults()`, Workload and GuardedNamespace's LimitRange. A user who moves a
 * chart from remediation to `withDefaults()`, or a service onto Workload, sees no change in sizing.
 */
import { parse } from "yaml";
import { mockPulumi } from "./mocks";
import { checkObject } from "../../policies/rules";
import { fillMissingResources } from "../../policies/remediate";
import { applyDefaults } from "../../components/transforms";
import { workloadManifest } from "../../components/workload";
import { GuardedNamespace } from "../../components/guarded-namespace";

const mocks = mockPulumi();
beforeEach(() => mocks.reset());

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const bare = () => ({ name: "app", image: "registry.example/app:1.0", ports: [{ name: "http", containerPort: 8080 }] });
const deployment = (container: object) => ({
  metadata: { name: "app" },
  spec: { selector: {}, template: { spec: { containers: [container] } } },
});
const firstContainer = (props: any) => props.spec.template.spec.containers[0];

function packFix(rule: string): any {
  const f = checkObject(deployment(bare()), { typeToken: DEPLOYMENT }).find((x) => x.rule === rule);
  return parse(f!.fix!);
}

async function limitRangeResources() {
  new GuardedNamespace("shop");
  const limitRange = (await mocks.resources()).find((r) => r.type === "kubernetes:core/v1:LimitRange")!;
  const [limits] = limitRange.inputs.spec.limits;
  return { requests: limits.defaultRequest, limits: limits.default };
}

describe("defaults agree across the pack, remediation, withDefaults(), Workload and GuardedNamespace", () => {
  it("give a bare container the same requests and memory limit", async () => {
    const fromFix = packFix("resources-required").resources;
    const fromRemediate = firstContainer(fillMissingResources(deployment(bare()), DEPLOYMENT, {})).resources;
    const fromWithDefaults = firstContainer(applyDefaults(DEPLOYMENT, deployment(bare()))).resources;
    const fromWorkload = firstContainer(workloadManifest("app", { image: "registry.example/app:1.0" })).resources;
    const fromLimitRange = await limitRangeResources();

    expect(fromFix).toEqual({ requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "256Mi" } });
    for (const other of [fromRemediate, fromWithDefaults, fromWorkload, fromLimitRange]) expect(other).toEqual(fromFix);
  });

  it("follow a larger memory request with the memory limit, in remediation, withDefaults() and Workload alike", () => {
    const sized = { ...bare(), resources: { requests: { memory: "1Gi" } } };
    const fromRemediate = firstContainer(
      fillMissingResources(deployment(sized), DEPLOYMENT, { defaults: { memoryRequest: "1Gi" } }),
    ).resources;
    const fromWithDefaults = firstContainer(applyDefaults(DEPLOYMENT, deployment(sized), { memoryRequest: "1Gi" })).resources;
    const fromWorkload = firstContainer(
      workloadManifest("app", { image: "registry.example/app:1.0", resources: { memoryRequest: "1Gi" } }),
    ).resources;

    expect(fromRemediate).toEqual({ requests: { cpu: "250m", memory: "1Gi" }, limits: { memory: "1Gi" } });
    expect(fromWithDefaults).toEqual(fromRemediate);
    expect(fromWorkload).toEqual(fromRemediate);
  });

  it("give a missing readiness probe the same timings", () => {
    const { tcpSocket: _fixHandler, ...fromFix } = packFix("readiness-probe-required").readinessProbe;
    const { tcpSocket: _handler, ...fromWithDefaults } = firstContainer(applyDefaults(DEPLOYMENT, deployment(bare()))).readinessProbe;
    const { httpGet: _http, ...fromWorkload } = firstContainer(
      workloadManifest("app", { image: "registry.example/app:1.0" }),
    ).readinessProbe;

    expect(fromFix).toEqual({ periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 });
    expect(fromWithDefaults).toEqual(fromFix);
    expect(fromWorkload).toEqual(fromFix);
  });
});
