/** The verifier's grants are exactly what it calls: every request the simulator sees is granted, and every grant is used. */
import { VERIFIER_RULES } from "../../verify/rbac-rules";
import { verifyRollout } from "../../verify/rollout";
import { app, deployment, useSim } from "../verify/sim-harness";

const h = useSim();
const used = new Set<string>();
afterEach(() => {
  for (const r of h.sim.requests) used.add(r);
});

const GRANTED = new Set(VERIFIER_RULES.flatMap((r) => r.verbs.map((v) => `${v} ${r.resource}`)));

test.each([
  [
    "a crash-looping Deployment (events and logs read)",
    deployment("web", [app({ kind: "crash", runFor: 0.1, exitCode: 1, logs: ["boom"] })]),
  ],
  ["a healthy StatefulSet", deployment("db", [app({ kind: "healthy" })], { kind: "StatefulSet" })],
  ["a healthy DaemonSet", deployment("agent", [app({ kind: "healthy" })], { kind: "DaemonSet" })],
])("%s: every request is granted", async (_name, scenario) => {
  h.cluster.deploy(scenario);
  await verifyRollout({
    kubeconfig: h.kubeconfig,
    workload: { kind: scenario.kind, namespace: "shop", name: scenario.name },
    stableForSeconds: 0.3,
    timeoutSeconds: 20,
  });
  expect(h.sim.requests.filter((r) => !GRANTED.has(r))).toEqual([]);
});

test("every grant was used by the rollouts above", () => {
  expect([...GRANTED].filter((g) => !used.has(g))).toEqual([]);
});
