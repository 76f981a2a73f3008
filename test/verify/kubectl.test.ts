/** Real kubectl accepts the simulator: get -o json, get --watch, rollout status. */
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import { app, deployment, useSim } from "./sim-harness";

const kubectl = ["/usr/bin/kubectl", ...(process.env.PATH ?? "").split(delimiter).map((d) => join(d, "kubectl"))].find((p) =>
  existsSync(p),
);
if (!kubectl) console.log("skipping kubectl tests: kubectl is not installed (/usr/bin/kubectl or on PATH)");
const maybe = kubectl ? describe : describe.skip;

maybe("kubectl against the simulator", () => {
  const h = useSim();
  const run = (args: string[]) => promisify(execFile)(kubectl!, ["--kubeconfig", h.kubeconfig, ...args], { timeout: 10_000 });

  test("get pods -o json returns the simulated pods", async () => {
    h.cluster.deploy(deployment("web", [app({ kind: "healthy" })]));
    await until(() => h.sim.list("pods", "shop").length === 2);
    const list = JSON.parse((await run(["get", "pods", "-n", "shop", "-o", "json"])).stdout);
    expect(list.items).toHaveLength(2);
    expect(list.items[0].metadata.labels).toHaveProperty("pod-template-hash");
  });

  test("get pods --watch streams changes", async () => {
    const child = spawn(kubectl!, ["--kubeconfig", h.kubeconfig, "get", "pods", "-n", "shop", "--watch", "-o", "name"]);
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    // Deploy once kubectl watches: a pod created and settled before its list would leave nothing to stream.
    await until(() => h.sim.arrivals.some((a) => a.url.includes("/pods?") && /[?&]watch=(true|1)/.test(a.url)));
    h.cluster.deploy(deployment("web", [app({ kind: "healthy" })], { replicas: 1 }));
    await until(() => out.split("\n").filter(Boolean).length >= 2);
    child.kill();
    expect(out).toMatch(/^pod\/web-\w+-\w+$/m);
  });

  test("rollout status succeeds on a healthy Deployment and errors on a progress deadline", async () => {
    h.cluster.deploy(deployment("web", [app({ kind: "healthy" })]));
    expect((await run(["rollout", "status", "deployment/web", "-n", "shop", "--timeout", "5s"])).stdout).toMatch(/successfully rolled out/);
    h.cluster.deploy(deployment("stuck", [app({ kind: "crash", runFor: 1, exitCode: 1 })], { progressDeadlineSeconds: 30 }));
    const failed = await run(["rollout", "status", "deployment/stuck", "-n", "shop", "--timeout", "5s"]).catch((e) => e);
    expect(failed.stderr).toMatch(/exceeded its progress deadline/);
  });
});

/** Resolves once `condition` holds, checked every 20 ms. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}
