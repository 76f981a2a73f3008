import { mockPulumi, valueOf } from "./mocks";
import { GuardedNamespace, type GuardedNamespaceArgs } from "../../components/guarded-namespace";

const mocks = mockPulumi();
beforeEach(() => mocks.reset());

async function create(args?: GuardedNamespaceArgs) {
  const ns = new GuardedNamespace("shop", args);
  const all = await mocks.resources();
  const byType = (type: string) => all.find((r) => r.type === type);
  return {
    ns,
    all,
    namespace: byType("kubernetes:core/v1:Namespace")!,
    limitRange: byType("kubernetes:core/v1:LimitRange"),
    quota: byType("kubernetes:core/v1:ResourceQuota"),
  };
}

const restricted = {
  "pod-security.kubernetes.io/enforce": "restricted",
  "pod-security.kubernetes.io/enforce-version": "latest",
  "pod-security.kubernetes.io/audit": "restricted",
  "pod-security.kubernetes.io/audit-version": "latest",
  "pod-security.kubernetes.io/warn": "restricted",
  "pod-security.kubernetes.io/warn-version": "latest",
};

describe("GuardedNamespace defaults", () => {
  it("registers a component with a Namespace and a LimitRange as its children", async () => {
    const { ns, all } = await create();
    expect(all.map((r) => `${r.type} ${r.parent ?? "(root)"}`).sort()).toEqual([
      "crashguard:k8s:GuardedNamespace (root)",
      "kubernetes:core/v1:LimitRange urn:pulumi:test::crashguard::crashguard:k8s:GuardedNamespace::shop",
      "kubernetes:core/v1:Namespace urn:pulumi:test::crashguard::crashguard:k8s:GuardedNamespace::shop",
    ]);
    expect(await valueOf(ns.name)).toBe("shop");
    expect(await valueOf(ns.namespace.urn)).toBe(
      "urn:pulumi:test::crashguard::crashguard:k8s:GuardedNamespace$kubernetes:core/v1:Namespace::shop",
    );
    expect(ns.resourceQuota).toBeUndefined();
  });

  it("enforces, audits and warns at Pod Security level restricted", async () => {
    const { namespace } = await create();
    expect(namespace.inputs.metadata).toEqual({ name: "shop", labels: restricted });
  });

  it("defaults container requests and memory limit from the defaults table", async () => {
    const { limitRange } = await create();
    expect(limitRange!.inputs.metadata).toEqual({ name: "crashguard-defaults", namespace: "shop" });
    expect(limitRange!.inputs.spec).toEqual({
      limits: [{ type: "Container", defaultRequest: { cpu: "250m", memory: "256Mi" }, default: { memory: "256Mi" } }],
    });
  });
});

describe("GuardedNamespace overrides", () => {
  it("relaxes enforcement only; audit and warn stay restricted", async () => {
    const { namespace } = await create({ podSecurity: "baseline", podSecurityVersion: "v1.30" });
    expect(namespace.inputs.metadata.labels).toEqual({
      "pod-security.kubernetes.io/enforce": "baseline",
      "pod-security.kubernetes.io/enforce-version": "v1.30",
      "pod-security.kubernetes.io/audit": "restricted",
      "pod-security.kubernetes.io/audit-version": "v1.30",
      "pod-security.kubernetes.io/warn": "restricted",
      "pod-security.kubernetes.io/warn-version": "v1.30",
    });
  });

  it("keeps extra labels, but the Pod Security labels win", async () => {
    const { namespace } = await create({
      labels: { team: "shop", "pod-security.kubernetes.io/enforce": "privileged" },
      annotations: { owner: "shop-team" },
    });
    expect(namespace.inputs.metadata).toEqual({
      name: "shop",
      labels: { team: "shop", ...restricted },
      annotations: { owner: "shop-team" },
    });
  });

  it("names the namespace apart from the resource", async () => {
    const { ns, limitRange } = await create({ namespaceName: "shop-prod" });
    expect(await valueOf(ns.name)).toBe("shop-prod");
    expect(limitRange!.inputs.metadata.namespace).toBe("shop-prod");
  });

  it("limitRange: false drops the LimitRange", async () => {
    const { limitRange, ns } = await create({ limitRange: false });
    expect(limitRange).toBeUndefined();
    expect(ns.limitRange).toBeUndefined();
  });

  it("adds a ResourceQuota with only the totals given", async () => {
    const { quota } = await create({ quota: { requestsCpu: "8", requestsMemory: "16Gi", limitsMemory: "24Gi", pods: 50 } });
    expect(quota!.inputs).toMatchObject({
      metadata: { name: "crashguard-quota", namespace: "shop" },
      spec: { hard: { "requests.cpu": "8", "requests.memory": "16Gi", "limits.memory": "24Gi", pods: "50" } },
    });
    mocks.reset();
    new GuardedNamespace("other", { quota: { pods: 10 } });
    const other = (await mocks.resources()).find((r) => r.type === "kubernetes:core/v1:ResourceQuota")!;
    expect(other.inputs.spec).toEqual({ hard: { pods: "10" } });
  });
});
