/**
 * Time to verdict on a crash-looping Deployment, real seconds (no time scaling):
 * `crashguard verify` vs `kubectl rollout status`, plus the verifier's memory while it watches
 * 1,000 pods. Run: npm run bench:verify
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { K8sSim, SimCluster, writeKubeconfig } from "../test/support/k8s-sim";

const KUBECTL_CAP_SECONDS = 60;
const BIN = join(__dirname, "..", "bin", "crashguard.js");

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): { done: Promise<{ code: number | null; at: number }>; pid: number } {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: "ignore" });
  const done = new Promise<{ code: number | null; at: number }>((resolve) => child.on("exit", (code) => resolve({ code, at: Date.now() })));
  return { done, pid: child.pid! };
}

async function firstTermination(sim: K8sSim, name: string): Promise<number> {
  for (;;) {
    const pods = sim.list("pods", "shop").filter((p) => p.metadata?.labels?.app === name) as { status?: { containerStatuses?: { state?: { terminated?: unknown } }[] } }[];
    if (pods.some((p) => p.status?.containerStatuses?.some((s) => s.state?.terminated))) return Date.now();
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function timeToVerdict(sim: K8sSim, cluster: SimCluster, kubeconfig: string): Promise<void> {
  cluster.deploy({ kind: "Deployment", namespace: "shop", name: "crash", replicas: 3, progressDeadlineSeconds: 600, containers: [{ name: "api", behaviour: { kind: "crash", runFor: 3, exitCode: 1, logs: ["panic: config missing"] } }] });
  const start = Date.now();
  const ours = run(process.execPath, [BIN, "verify", "deployment/crash", "-n", "shop", "--timeout", "10m"], { KUBECONFIG: kubeconfig });
  const kubectl = run("kubectl", ["--kubeconfig", kubeconfig, "rollout", "status", "deployment/crash", "-n", "shop", `--timeout=${KUBECTL_CAP_SECONDS}s`], {});
  const crashed = await firstTermination(sim, "crash");
  const verdict = await ours.done;
  const oursAfterCrash = (verdict.at - crashed) / 1000;
  console.log(`first container termination: ${((crashed - start) / 1000).toFixed(2)} s after start`);
  console.log(`crashguard verify: exit ${verdict.code} ${oursAfterCrash.toFixed(2)} s after the first termination (${((verdict.at - start) / 1000).toFixed(2)} s after start)`);
  const k = await kubectl.done;
  const kubectlSeconds = (k.at - crashed) / 1000;
  const stillWaiting = k.at - start >= KUBECTL_CAP_SECONDS * 1000 - 500;
  console.log(
    stillWaiting
      ? `kubectl rollout status: > ${KUBECTL_CAP_SECONDS} s, still waiting when its --timeout cap ended it (exit ${k.code}); the Deployment's own verdict would come at progressDeadlineSeconds = 600 s`
      : `kubectl rollout status: exit ${k.code} ${kubectlSeconds.toFixed(2)} s after the first termination`,
  );
  console.log(`ratio=${(kubectlSeconds / oursAfterCrash).toFixed(1)}${stillWaiting ? " (lower bound: kubectl capped)" : ""}`);
}

async function memoryWhileWatching(cluster: SimCluster, kubeconfig: string): Promise<void> {
  cluster.deploy({ kind: "Deployment", namespace: "shop", name: "big", replicas: 1000, containers: [{ name: "api", behaviour: { kind: "healthy", readyAfter: 1e6 } }] });
  const ours = run(process.execPath, [BIN, "verify", "deployment/big", "-n", "shop", "--timeout", "12s"], { KUBECONFIG: kubeconfig });
  let peakKb = 0;
  const sampler = setInterval(() => {
    try {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${ours.pid}/status`, "utf8"))?.[1] ?? 0);
      peakKb = Math.max(peakKb, kb);
    } catch {
      // the process has exited
    }
  }, 100);
  const done = await ours.done;
  clearInterval(sampler);
  console.log(`verifier watching 1000 pods: peak RSS ${(peakKb / 1024).toFixed(1)} MB (target < 150 MB), exit ${done.code} at its 12 s timeout`);
}

(async () => {
  const sim = await K8sSim.start();
  const cluster = new SimCluster(sim, 1);
  const kubeconfig = writeKubeconfig(sim.url);
  try {
    await timeToVerdict(sim, cluster, kubeconfig);
    await memoryWhileWatching(cluster, kubeconfig);
  } finally {
    cluster.stop();
    await sim.stop();
  }
})();
