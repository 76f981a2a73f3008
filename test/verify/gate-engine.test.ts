/**
 * The rollout gate across `pulumi up` runs, on each engine behaviour it relies on: the engine is
 * test/support/engine-model.ts (modelled from pulumi/pulumi's source), the hook body is the real
 * one, and the cluster is the simulator.
 */
import * as pulumi from "@pulumi/pulumi";
import { GATE_TYPE, gateData } from "../../verify/gate";
import { awaitAnnotations, verifyHookBody } from "../../verify/hook";
import { EngineModel, type Cli, type ModelResource } from "../support/engine-model";
import { app, deployment, useSim } from "./sim-harness";

const h = useSim();
beforeEach(() => jest.spyOn(pulumi.log, "info").mockResolvedValue()); // the verified verdicts, printed by the hook
afterEach(() => jest.restoreAllMocks());

/** The Workload as the engine sees it: the Deployment, its gate, and a resource that depends on the gate. */
function program(image: string, verified: string[]): ModelResource[] {
  const live = h.sim.get("deployments", "shop", "checkout")!.metadata!;
  const verify = async (args: pulumi.ResourceHookArgs) => {
    verified.push(String(args.newInputs?.data?.generation));
    await verifyHookBody(args, { kubeconfig: h.kubeconfig, timeoutSeconds: 10, stableForSeconds: 0.3 });
  };
  return [
    {
      type: "kubernetes:apps/v1:Deployment",
      name: "checkout",
      inputs: { metadata: { name: "checkout", annotations: awaitAnnotations("verify") }, spec: { image } },
    },
    {
      type: GATE_TYPE,
      name: "checkout-rollout-gate",
      inputs: {
        data: gateData({
          kind: "Deployment",
          namespace: "shop",
          name: "checkout",
          uid: String(live.uid),
          generation: Number(live.generation),
        }),
      },
      hooks: { beforeCreate: [verify], beforeUpdate: [verify] },
    },
    { type: "kubernetes:networking.k8s.io/v1:Ingress", name: "checkout-traffic", inputs: { backend: "checkout" } },
  ];
}

const crashing = () => deployment("checkout", [app({ kind: "crash", runFor: 1, exitCode: 1 })]);
const healthy = () => deployment("checkout", [app({ kind: "healthy" })]);

describe.each<[string, Cli]>([
  ["CLI 3.182 (hooks, after-hook errors are warnings)", 182],
  ["CLI 3.237 (last release before after-hook errors fail)", 237],
  ["CLI 3.238 (after-hook errors fail the update)", 238],
])("%s", (_title, cli) => {
  test("a crash-looping rollout fails `pulumi up` with the diagnosis, and what depends on the gate is not touched", async () => {
    const engine = new EngineModel(cli);
    h.cluster.deploy(crashing());
    const verified: string[] = [];
    const up = await engine.up(program("shop/checkout:1", verified));
    expect(up.succeeded).toBe(false);
    expect(up.steps).toEqual(
      new Map([
        ["checkout", "create"],
        ["checkout-rollout-gate", "failed"],
      ]),
    );
    expect(up.diagnostics).toHaveLength(1);
    expect(up.diagnostics[0].message).toMatch(/✗ Deployment shop\/checkout \(generation 1\): rollout failed/);
    expect(up.diagnostics[0].message).toContain("fix: spec.template.spec.containers[0].command");
    expect(engine.state.has("checkout-rollout-gate")).toBe(false);
    expect(verified).toEqual(["1"]);
  });

  test("the next `pulumi up` with no diff verifies the failed rollout again, and fails again", async () => {
    const engine = new EngineModel(cli);
    h.cluster.deploy(crashing());
    const verified: string[] = [];
    await engine.up(program("shop/checkout:1", verified));
    const second = await engine.up(program("shop/checkout:1", verified));
    expect(second.steps.get("checkout")).toBe("same");
    expect(second.steps.get("checkout-rollout-gate")).toBe("failed");
    expect(second.succeeded).toBe(false);
    expect(second.diagnostics[0].message).toMatch(/rollout failed/);
    expect(verified).toEqual(["1", "1"]);
  });

  test("once a fixed rollout passes, the dependent proceeds and a run with no diff verifies nothing", async () => {
    const engine = new EngineModel(cli);
    h.cluster.deploy(crashing());
    const verified: string[] = [];
    await engine.up(program("shop/checkout:1", verified));
    h.cluster.deploy(healthy());
    const fixed = await engine.up(program("shop/checkout:2", verified));
    expect(fixed).toMatchObject({ succeeded: true, diagnostics: [] });
    expect(fixed.steps).toEqual(
      new Map([
        ["checkout", "update"],
        ["checkout-rollout-gate", "create"],
        ["checkout-traffic", "create"],
      ]),
    );
    const quiet = await engine.up(program("shop/checkout:2", verified));
    expect(quiet.succeeded).toBe(true);
    expect([...quiet.steps.values()]).toEqual(["same", "same", "same"]);
    expect(verified).toEqual(["1", "2"]);
  });

  test.each(["update", "replace"] as const)(
    "a failed %s of a verified gate keeps the old verdict's state, so the next run verifies the new rollout again",
    async (changes) => {
      const engine = new EngineModel(cli, changes);
      h.cluster.deploy(healthy());
      const verified: string[] = [];
      expect((await engine.up(program("shop/checkout:1", verified))).succeeded).toBe(true);
      h.cluster.deploy(crashing());
      const broken = await engine.up(program("shop/checkout:2", verified));
      expect(broken.succeeded).toBe(false);
      expect(broken.steps.get("checkout-rollout-gate")).toBe("failed");
      expect(broken.steps.has("checkout-traffic")).toBe(false);
      expect((engine.state.get("checkout-rollout-gate")!.inputs.data as Record<string, string>).generation).toBe("1");
      const again = await engine.up(program("shop/checkout:2", verified));
      expect(again.steps.get("checkout")).toBe("same");
      expect(again.steps.get("checkout-rollout-gate")).toBe("failed");
      expect(verified).toEqual(["1", "2", "2"]);
      h.cluster.deploy(healthy());
      const fixed = await engine.up(program("shop/checkout:3", verified));
      expect(fixed.succeeded).toBe(true);
      expect(fixed.steps.get("checkout-rollout-gate")).toBe(changes);
    },
  );
});
