/** The resource hook's body against the simulator (setMocks never invokes hooks). */
import * as pulumi from "@pulumi/pulumi";
import { awaitAnnotations, verifyHook, verifyHookBody } from "../../verify/hook";
import { SIM_TOKEN } from "../support/k8s-sim";
import { SECRET_ENV_VALUE, app, deployment, useSim, TEST_SCALE } from "./sim-harness";

// A real ResourceHook registers itself with the engine's callback server, which neither a test
// nor setMocks provides; keep the class, skip the registration.
jest.mock("@pulumi/pulumi", () => {
  const actual = jest.requireActual("@pulumi/pulumi");
  class ResourceHook {
    constructor(
      public name: string,
      public callback: (args: unknown) => Promise<void>,
      public opts?: object,
    ) {}
  }
  return { ...actual, ResourceHook };
});

const h = useSim(TEST_SCALE, { tls: true });

function hookArgs(name: string, type = "kubernetes:apps/v1:Deployment"): pulumi.ResourceHookArgs {
  const urn = `urn:pulumi:dev::shop::crashguard:k8s:Workload$${type}::${name}`;
  return { urn, id: `shop/${name}`, name, type, newInputs: {}, newOutputs: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: "shop", generation: 1 } } };
}

test("throws the diagnosis when the new pods crash-loop", async () => {
  h.cluster.deploy(deployment("checkout", [app({ kind: "crash", runFor: 1, exitCode: 1 })]));
  const err = (await verifyHookBody(hookArgs("checkout"), { kubeconfig: h.kubeconfig, timeoutSeconds: 5 }).catch((e: Error) => e)) as Error;
  expect(err.message).toMatch(/^✗ Deployment shop\/checkout \(generation 1\): rollout failed/);
  expect(err.message).toContain("fix: spec.template.spec.containers[0].command");
  expect(err.message).not.toContain(SECRET_ENV_VALUE);
  expect(err.message).not.toContain(SIM_TOKEN);
});

test("resolves on a healthy rollout", async () => {
  h.cluster.deploy(deployment("web", [app({ kind: "healthy" })]));
  await expect(verifyHookBody(hookArgs("web"), { kubeconfig: h.kubeconfig, stableForSeconds: 0.3, timeoutSeconds: 5 })).resolves.toBeUndefined();
});

test("refuses resources that are not workloads", async () => {
  await expect(verifyHookBody(hookArgs("cfg", "kubernetes:core/v1:ConfigMap"), { kubeconfig: h.kubeconfig })).rejects.toThrow(/attach the hook to a Deployment, StatefulSet or DaemonSet/);
});

test("is a ResourceHook that never runs in preview and whose callback verifies", async () => {
  const hook = verifyHook({ kubeconfig: h.kubeconfig, timeoutSeconds: 5 });
  expect(hook).toBeInstanceOf(pulumi.ResourceHook);
  expect(hook.name).toBe("crashguard-verify");
  expect(hook.opts).toEqual({ onDryRun: false });
  h.cluster.deploy(deployment("api", [app({ kind: "image-pull" })]));
  await expect(hook.callback(hookArgs("api"))).rejects.toThrow(/ImagePullBackOff|ErrImagePull/);
});

test("awaitAnnotations skips the provider's await only when the hook verifies", () => {
  expect(awaitAnnotations("verify")).toEqual({ "pulumi.com/skipAwait": "true" });
  expect(awaitAnnotations("provider")).toEqual({});
});
