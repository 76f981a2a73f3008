/** The verifier survives what real API servers do to watches, and says clearly when it cannot. */
import { createServer } from "node:http";
import { main } from "../../cli/verify";
import { verifyRollout } from "../../verify/rollout";
import { fakeIO } from "../support/io";
import { SIM_TOKEN, writeKubeconfig } from "../support/k8s-sim";
import { app, deployment, useSim, TEST_SCALE } from "./sim-harness";

const h = useSim(TEST_SCALE, { tls: true });
const fast = { initialMs: 20, maxMs: 200 };

function verifyWeb(extra = {}) {
  return verifyRollout({
    kubeconfig: h.kubeconfig,
    workload: { kind: "Deployment", namespace: "shop", name: "web" },
    stableForSeconds: 0.3,
    timeoutSeconds: 8,
    backoff: fast,
    ...extra,
  });
}

/** Waits for a condition on the simulator, checking every 10 ms: no fixed sleeps that a loaded machine outlasts. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 10));
}

test("resumes after dropped watch connections without listing again", async () => {
  h.cluster.deploy(deployment("web", [app({ kind: "healthy", readyAfter: 100 })]));
  const pending = verifyWeb();
  const podWatches = () => h.sim.requests.filter((r) => r === "watch pods").length;
  for (let drop = 1; drop <= 2; drop++) {
    await until(() => podWatches() >= drop);
    h.sim.dropWatches();
  }
  await expect(pending).resolves.toMatchObject({ verdict: "succeeded" });
  expect(h.sim.requests.filter((r) => r === "list pods")).toHaveLength(1);
  expect(h.sim.requests.filter((r) => r === "watch pods").length).toBeGreaterThanOrEqual(3);
});

test("lists again after 410 Gone and still catches the crash", async () => {
  // Compacted once the verifier watches pods (the simulator registers a watch as it logs the request),
  // so that watch ends with 410 — on a condition, not after a fixed delay a loaded machine can outlast.
  h.cluster.deploy(deployment("web", [app({ kind: "crash", runFor: 100, exitCode: 1 })]));
  const pending = verifyWeb();
  await until(() => h.sim.requests.includes("watch pods"));
  h.sim.compact();
  await expect(pending).resolves.toMatchObject({ verdict: "failed", reason: "pod-failed" });
  expect(h.sim.requests.filter((r) => r === "list pods").length).toBeGreaterThanOrEqual(2);
});

test("backs off on 429 (honouring Retry-After) and 500, then succeeds", async () => {
  h.sim.faults.push(
    { verb: "list", resource: "pods", status: 429, retryAfterSeconds: 0.2, times: 1 },
    { verb: "watch", resource: "pods", status: 500, times: 2 },
  );
  h.cluster.deploy(deployment("web", [app({ kind: "healthy" })]));
  const started = Date.now();
  await expect(verifyWeb()).resolves.toMatchObject({ verdict: "succeeded" });
  expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  expect(h.sim.faults).toHaveLength(0);
});

test("403 names the verb, resource, namespace and the grant to add — and no token", async () => {
  h.sim.faults.push({ verb: "watch", resource: "pods", status: 403 });
  h.cluster.deploy(deployment("web", [app({ kind: "healthy" })]));
  const err = await verifyWeb().catch((e: Error) => e);
  expect((err as Error).message).toBe("cannot watch pods in namespace shop: grant verbs list,watch on pods (see verify/rbac.yaml)");
  expect(h.sim.authorizations[0]).toBe(`Bearer ${SIM_TOKEN}`);
});

test("401 says to refresh the credentials of the context", async () => {
  h.sim.faults.push({ status: 401 });
  const err = await verifyWeb().catch((e: Error) => e);
  expect((err as Error).message).toMatch(/rejected the credentials of context "sim" \(401 Unauthorized\)/);
});

describe("an API that keeps failing is an error (exit 2) naming the call, never a failed rollout", () => {
  async function cli(kubeconfig: string): Promise<{ code: number; err: string; out: string }> {
    const io = fakeIO({ env: { NO_COLOR: "1" } });
    const code = await main(["deployment/web", "-n", "shop", "--kubeconfig", kubeconfig, "--timeout", "1.5s"], io);
    return { code, err: io.err, out: io.out };
  }

  test.each([
    [500, /no verdict after 1.5s: the API kept failing — list deployments in namespace shop failed with HTTP 500: Internal error occurred/],
    [429, /no verdict after 1.5s: the API kept failing — list deployments in namespace shop failed with HTTP 429/],
  ] as const)("HTTP %i forever", async (status, message) => {
    h.sim.faults.push({ verb: "list", resource: "deployments", status, times: Infinity });
    const r = await cli(h.kubeconfig);
    expect(r).toMatchObject({ code: 2, out: "" });
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/rollout failed|not healthy/);
  });

  test("410 on every list relists with backoff, not in a hot loop, and ends in an error", async () => {
    h.sim.faults.push({ verb: "list", resource: "pods", status: 410, times: Infinity });
    h.cluster.deploy(deployment("web", [app({ kind: "healthy" })]));
    const r = await cli(h.kubeconfig);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/the API kept failing — watch of pods in namespace shop expired \(410 Gone\)/);
    // Backoff starts at 250 ms and doubles: a few relists in 1.5 s, not thousands.
    expect(h.sim.requests.filter((x) => x === "list pods").length).toBeLessThan(15);
  });

  test("connection refused", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    const r = await cli(writeKubeconfig(`http://127.0.0.1:${port}`));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /the API kept failing — list deployments in namespace shop: cannot reach the API server http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
    );
  });

  test("a server that never answers", async () => {
    const server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const r = await cli(writeKubeconfig(`http://127.0.0.1:${port}`));
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/no answer from the API server http:\/\/127\.0\.0\.1:\d+ to list deployments in namespace shop/);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
