/** The verifier survives what real API servers do to watches, and says clearly when it cannot. */
import { verifyRollout } from "../../verify/rollout";
import { SIM_TOKEN } from "../support/k8s-sim";
import { app, deployment, useSim, TEST_SCALE } from "./sim-harness";

const h = useSim(TEST_SCALE, { tls: true });
const fast = { initialMs: 20, maxMs: 200 };

function verifyWeb(extra = {}) {
  return verifyRollout({ kubeconfig: h.kubeconfig, workload: { kind: "Deployment", namespace: "shop", name: "web" }, stableForSeconds: 0.3, timeoutSeconds: 8, backoff: fast, ...extra });
}

test("resumes after dropped watch connections without listing again", async () => {
  h.cluster.deploy(deployment("web", [app({ kind: "healthy", readyAfter: 20 })]));
  const pending = verifyWeb();
  setTimeout(() => h.sim.dropWatches(), 150);
  setTimeout(() => h.sim.dropWatches(), 300);
  await expect(pending).resolves.toMatchObject({ verdict: "succeeded" });
  expect(h.sim.requests.filter((r) => r === "list pods")).toHaveLength(1);
  expect(h.sim.requests.filter((r) => r === "watch pods").length).toBeGreaterThanOrEqual(3);
});

test("lists again after 410 Gone and still catches the crash", async () => {
  h.cluster.deploy(deployment("web", [app({ kind: "crash", runFor: 20, exitCode: 1 })]));
  const pending = verifyWeb();
  setTimeout(() => h.sim.compact(), 150);
  await expect(pending).resolves.toMatchObject({ verdict: "failed", reason: "pod-failed" });
  expect(h.sim.requests.filter((r) => r === "list pods").length).toBeGreaterThanOrEqual(2);
});

test("backs off on 429 (honouring Retry-After) and 500, then succeeds", async () => {
  h.sim.faults.push({ verb: "list", resource: "pods", status: 429, retryAfterSeconds: 0.2, times: 1 }, { verb: "watch", resource: "pods", status: 500, times: 2 });
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
