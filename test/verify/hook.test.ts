/** The verify hook's body against the simulator, as a rollout gate's before-hook (setMocks never invokes hooks). */
import { createServer, type Server, type Socket } from "node:net";
import * as pulumi from "@pulumi/pulumi";
import { GATE_TYPE, gateData } from "../../verify/gate";
import { awaitAnnotations, verifyHook, verifyHookBody } from "../../verify/hook";
import { SIM_TOKEN, kubeconfigYaml } from "../support/k8s-sim";
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

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

/** What the engine hands a before-hook of the gate for the Deployment `name` in namespace shop. */
function gateArgs(name: string, data: Record<string, string> = liveRollout(name)): pulumi.ResourceHookArgs {
  const urn = `urn:pulumi:dev::shop::crashguard:k8s:Workload$${GATE_TYPE}::${name}-rollout-gate`;
  return {
    urn,
    id: "",
    name: `${name}-rollout-gate`,
    type: GATE_TYPE,
    newInputs: { apiVersion: "v1", kind: "ConfigMap", metadata: { namespace: "shop" }, data },
  };
}

/** The gate data for the simulator's Deployment as `pulumi up` last wrote it (or generation 1 of one that does not exist). */
function liveRollout(name: string): Record<string, string> {
  const live = h.sim.get("deployments", "shop", name)?.metadata;
  return gateData({
    kind: "Deployment",
    namespace: "shop",
    name,
    uid: String(live?.uid ?? "0b5d"),
    generation: Number(live?.generation ?? 1),
  });
}

/** Everything the hook logs through Pulumi or writes to stdout/stderr while `work` runs. */
async function printedDuring(work: () => Promise<unknown>): Promise<string> {
  const printed: string[] = [];
  const capture = (...chunks: unknown[]) => {
    printed.push(chunks.map(String).join(" "));
    return true;
  };
  const spies = [
    ...(["debug", "info", "warn", "error"] as const).map((level) => jest.spyOn(pulumi.log, level).mockImplementation(capture as never)),
    jest.spyOn(process.stdout, "write").mockImplementation(capture),
    jest.spyOn(process.stderr, "write").mockImplementation(capture),
  ];
  try {
    await work();
  } finally {
    spies.forEach((s) => s.mockRestore());
  }
  return printed.join("\n");
}

test("throws the diagnosis when the new pods crash-loop", async () => {
  h.cluster.deploy(deployment("checkout", [app({ kind: "crash", runFor: 1, exitCode: 1 })]));
  const err = (await verifyHookBody(gateArgs("checkout"), { kubeconfig: h.kubeconfig, timeoutSeconds: 5 }).catch((e: Error) => e)) as Error;
  expect(err.message).toMatch(/^✗ Deployment shop\/checkout \(generation 1\): rollout failed/);
  expect(err.message).toContain("fix: spec.template.spec.containers[0].command");
  expect(err.message).not.toContain(SECRET_ENV_VALUE);
  expect(err.message).not.toContain(SIM_TOKEN);
});

test("resolves on a healthy rollout", async () => {
  h.cluster.deploy(deployment("web", [app({ kind: "healthy" })]));
  await expect(
    verifyHookBody(gateArgs("web"), { kubeconfig: h.kubeconfig, stableForSeconds: 0.3, timeoutSeconds: 5 }),
  ).resolves.toBeUndefined();
});

test("refuses to run as a hook of anything but a rollout gate, naming the resource and the fix", async () => {
  const urn = "urn:pulumi:dev::shop::kubernetes:apps/v1:Deployment::api";
  const args = { urn, id: "shop/api", name: "api", type: "kubernetes:apps/v1:Deployment", newOutputs: { metadata: { name: "api" } } };
  await expect(verifyHookBody(args, { kubeconfig: h.kubeconfig })).rejects.toThrow(
    `crashguard verify hook: ${urn} is a kubernetes:apps/v1:Deployment; bind the hook as beforeCreate/beforeUpdate of a rolloutGate`,
  );
});

test.each([
  [
    "no rollout named",
    {},
    /has no data\.kind, data\.namespace, data\.name, data\.uid, data\.generation; create the gate with rolloutGate\(\)/,
  ],
  [
    "a kind it cannot verify",
    { ...gateData({ kind: "Deployment", namespace: "shop", name: "a", uid: "u", generation: 1 }), kind: "CronJob" },
    /data\.kind is "CronJob"; a gate verifies a Deployment, StatefulSet, DaemonSet/,
  ],
  [
    "a generation that is no number",
    { ...gateData({ kind: "Deployment", namespace: "shop", name: "a", uid: "u", generation: 1 }), generation: "undefined" },
    /data\.generation is "undefined", not a positive integer/,
  ],
])("a gate with %s is refused with the field to fix", async (_title, data, message) => {
  await expect(verifyHookBody(gateArgs("a", data as Record<string, string>), { kubeconfig: h.kubeconfig })).rejects.toThrow(message);
});

describe("against an API server that accepts connections and never answers", () => {
  let server: Server;
  const sockets = new Set<Socket>();
  beforeEach(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.resume(); // read, never answer: the client's hang-up then closes the socket
      socket.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });
  afterEach(async () => {
    sockets.forEach((s) => s.destroy());
    await new Promise((resolve) => server.close(resolve));
  });

  test("the hook gives up at its own deadline, says what to check, and closes its watch", async () => {
    const port = (server.address() as { port: number }).port;
    const err = (await verifyHookBody(gateArgs("api"), {
      kubeconfig: kubeconfigYaml(`http://127.0.0.1:${port}`),
      timeoutSeconds: 60,
      deadlineSeconds: 1,
    }).catch((e: Error) => e)) as Error;
    expect(err.message).toBe(
      "✗ Deployment shop/api (generation 1): no verdict within the verify hook's deadline of 1s — the cluster API did not answer in time. " +
        "Check that this machine reaches the cluster, or raise the Workload's verifyTimeoutSeconds (a rolloutGate's timeoutSeconds). The next `pulumi up` verifies this rollout again.",
    );
    await waitFor(() => [...sockets].every((s) => s.destroyed)); // the watch it opened is closed, not left hanging
  });
});

test("a secret-Output kubeconfig is unwrapped to reach the cluster and never printed", async () => {
  const text = kubeconfigYaml(h.sim.url);
  const kubeconfig = pulumi.secret(text);
  h.cluster.deploy(deployment("api", [app({ kind: "image-pull" })]));
  h.cluster.deploy(deployment("web", [app({ kind: "healthy" })]));
  const hook = verifyHook({ kubeconfig, timeoutSeconds: 5, stableForSeconds: 0.3 });
  let failure: Error | undefined;
  const printed = await printedDuring(async () => {
    failure = await Promise.resolve(hook.callback(gateArgs("api"))).then(
      () => undefined,
      (e: Error) => e,
    );
    await hook.callback(gateArgs("web"));
  });
  expect(failure?.message).toMatch(/ImagePullBackOff|ErrImagePull/);
  expect(printed).toContain("✓ Deployment shop/web (generation 2): rollout verified");
  for (const shown of [printed, failure!.message]) {
    expect(shown).not.toContain(SIM_TOKEN);
    expect(shown).not.toContain(text.trim().split("\n")[0]);
  }
});

test("is a ResourceHook that never runs in preview", () => {
  const hook = verifyHook({ kubeconfig: h.kubeconfig, timeoutSeconds: 5 });
  expect(hook).toBeInstanceOf(pulumi.ResourceHook);
  expect(hook.name).toBe("crashguard-verify");
  expect(hook.opts).toEqual({ onDryRun: false });
});

test("awaitAnnotations skips the provider's await only when a gate verifies", () => {
  expect(awaitAnnotations("verify")).toEqual({ "pulumi.com/skipAwait": "true" });
  expect(awaitAnnotations("provider")).toEqual({});
});
