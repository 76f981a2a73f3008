/** The rollout gate as the engine receives it, under mocks (its hook's behaviour is in test/verify). */
import * as pulumi from "@pulumi/pulumi";
import { Deployment } from "@pulumi/kubernetes/apps/v1";
import { ConfigMap } from "@pulumi/kubernetes/core/v1";
import { mockPulumi } from "./mocks";
import { Workload } from "../../components/workload";
import { rolloutGate } from "../../components/rollout-gate";

const mocks = mockPulumi();
beforeEach(() => mocks.reset());

const GATE = "kubernetes:core/v1:ConfigMap";
const byName = (all: Awaited<ReturnType<typeof mocks.resources>>, type: string, name: string) =>
  all.find((r) => r.type === type && r.name === name)!;

test("a Workload verifies its rollout on a gate beside it, not with hooks on the Deployment", async () => {
  new Workload("api", { image: "ghcr.io/acme/api:1.4.2", namespace: "shop" });
  const all = await mocks.resources();
  const deployment = byName(all, "kubernetes:apps/v1:Deployment", "api");
  const gate = byName(all, GATE, "api-rollout-gate");
  expect(gate.parent).toBe("urn:pulumi:test::crashguard::crashguard:k8s:Workload::api");
  expect(gate.beforeHooks).toEqual({ beforeCreate: ["crashguard-verify-api"], beforeUpdate: ["crashguard-verify-api"] });
  expect(gate.hooks).toEqual({ afterCreate: [], afterUpdate: [] });
  expect(gate.dependencies).toContain(deployment.urn);
  expect(gate.inputs.metadata).toEqual({
    namespace: "shop",
    labels: { "app.kubernetes.io/managed-by": "crashguard", "app.kubernetes.io/component": "rollout-gate" },
  });
  expect(gate.inputs.data).toMatchObject({ kind: "Deployment", namespace: "shop", name: "api" });
  expect(deployment.hooks).toEqual({ afterCreate: [], afterUpdate: [] });
  expect(deployment.beforeHooks).toEqual({ beforeCreate: [], beforeUpdate: [] });
});

test("the gate names the rollout: kind, namespace, name, uid and generation from the workload's outputs", async () => {
  // Under mocks outputs echo inputs, so the outputs the API server would add are given as inputs.
  const workload = new Deployment("web", {
    metadata: { name: "web", namespace: "shop", uid: "5f0c2b1e", generation: 7 },
    spec: {
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:1.27" }] } },
    },
  });
  rolloutGate("web", { workload, timeoutSeconds: 120 });
  const gate = byName(await mocks.resources(), GATE, "web-rollout-gate");
  expect(gate.inputs.data).toEqual({ kind: "Deployment", namespace: "shop", name: "web", uid: "5f0c2b1e", generation: "7" });
  expect(gate.beforeHooks).toEqual({ beforeCreate: ["crashguard-verify-web"], beforeUpdate: ["crashguard-verify-web"] });
});

test("a resource that depends on the Workload, or on its gate, waits for the gate", async () => {
  const api = new Workload("api", { image: "ghcr.io/acme/api:1.4.2", namespace: "shop" });
  new ConfigMap("after-workload", { data: { x: "1" } }, { dependsOn: [api] });
  new ConfigMap("after-gate", { data: { x: "1" } }, { dependsOn: [api.rolloutGate!] });
  const all = await mocks.resources();
  const gate = byName(all, GATE, "api-rollout-gate");
  expect(byName(all, GATE, "after-workload").dependencies).toContain(gate.urn);
  expect(byName(all, GATE, "after-gate").dependencies).toEqual([gate.urn]);
});

test("a secret kubeconfig never becomes part of the gate or any other resource", async () => {
  const kubeconfig = "apiVersion: v1\nusers: [{ name: deployer, user: { token: kc-s3cr3t-token } }]\n";
  new Workload("api", { image: "ghcr.io/acme/api:1.4.2", kubeconfig: pulumi.secret(kubeconfig) });
  expect(JSON.stringify(await mocks.resources())).not.toContain("kc-s3cr3t-token");
});

test("verify: false keeps the provider's await and creates no gate", async () => {
  const batch = new Workload("batch", { image: "ghcr.io/acme/batch:2.0.0", verify: false });
  const all = await mocks.resources();
  expect(all.filter((r) => r.type === GATE)).toEqual([]);
  expect(batch.rolloutGate).toBeUndefined();
});
