/**
 * Time to verdict per failure class, real seconds (no time scaling): for each class the simulator
 * plays, `crashguard verify` and `kubectl rollout status` watch the same rollout in the same run,
 * and both are timed from the moment the cause appears in the API (the first termination, the
 * ReplicaSet's ReplicaFailure, the probe's failure window running out, the first FailedMount, the
 * autoscaler's NotTriggerScaleUp) — or from when the verifier's first request arrives, if later:
 * the CLI's own start-up (printed apart) is not detection time. Then a healthy rollout (verdict vs. stabilization window) and
 * the verifier's peak RSS and CPU time while it watches 1,000 pods of realistic size (~4.7 KB),
 * then 5,000, until its own 12 s timeout — a memory run that ends any other way is printed as
 * INVALID with the verifier's last words. Prints `ratio=<peak RSS / target>` last, the worse of the
 * two. Run: npm run bench:verify
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Container } from "kubernetes-types/core/v1";
import { K8sSim, SimCluster, type SimObject, type WorkloadScenario, writeKubeconfig } from "../test/support/k8s-sim";
import { processCpuSeconds } from "./stats";

const KUBECTL_CAP_SECONDS = 40;
const TARGET_AFTER_CAUSE_SECONDS = 5;
const BIN = join(__dirname, "..", "bin", "crashguard.js");

interface Exit {
  code: number | null;
  at: number;
}

/** Runs a command; its stderr is kept (the verifier's progress and errors say why a run went as it did). */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): { done: Promise<Exit>; pid: number; stderr: () => string } {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4096)));
  // Timed at exit; resolved once stderr is read to its end.
  const exited = new Promise<Exit>((resolve) => child.on("exit", (code) => resolve({ code, at: Date.now() })));
  const done = new Promise<Exit>((resolve) => child.on("close", () => resolve(exited)));
  return { done, pid: child.pid!, stderr: () => stderr };
}

/** Resolves with the time `seen` first holds for the simulator's objects (checked every 10 ms). */
async function firstSeen(
  sim: K8sSim,
  seen: (pods: SimObject[], events: SimObject[], replicaSets: SimObject[]) => boolean,
): Promise<number> {
  for (;;) {
    if (seen(sim.list("pods", "shop"), sim.list("events", "shop"), sim.list("replicasets", "shop"))) return Date.now();
    await new Promise((r) => setTimeout(r, 10));
  }
}

const ofApp = (name: string) => (o: SimObject) =>
  o.metadata?.labels?.app === name || ((o.involvedObject as { name?: string } | undefined)?.name ?? "").startsWith(`${name}-`);
const eventSeen = (name: string, reason: string) => (_p: SimObject[], events: SimObject[]) =>
  events.some((e) => ofApp(name)(e) && e.reason === reason);

interface FailureClass {
  name: string;
  scenario: WorkloadScenario;
  cause: string;
  /** When the cause is in the API; readiness adds the probe's own failure window to its first failure. */
  causeAt: (sim: K8sSim) => Promise<number>;
}

const READINESS_WINDOW_SECONDS = 3;
const container = (behaviour: WorkloadScenario["containers"][number]["behaviour"], spec = {}) => [{ name: "api", behaviour, spec }];
const deployment = (name: string, extra: Partial<WorkloadScenario>): WorkloadScenario => ({
  kind: "Deployment",
  namespace: "shop",
  name,
  replicas: 2,
  progressDeadlineSeconds: 600,
  containers: container({ kind: "healthy" }),
  ...extra,
});

const CLASSES: FailureClass[] = [
  {
    name: "crash loop",
    scenario: deployment("crash", { containers: container({ kind: "crash", runFor: 3, exitCode: 1, logs: ["panic: config missing"] }) }),
    cause: "first container termination",
    causeAt: (sim) =>
      firstSeen(sim, (pods) =>
        pods.some(
          (p) =>
            ofApp("crash")(p) &&
            ((p.status as { containerStatuses?: { state?: { terminated?: unknown } }[] })?.containerStatuses ?? []).some(
              (s) => s.state?.terminated,
            ),
        ),
      ),
  },
  {
    name: "quota exceeded",
    scenario: deployment("quota", {
      quotaExceeded: "exceeded quota: compute, requested: limits.memory=2Gi, used: limits.memory=7Gi, limited: limits.memory=8Gi",
    }),
    cause: "ReplicaSet ReplicaFailure",
    causeAt: (sim) =>
      firstSeen(sim, (_p, _e, rs) => rs.some((r) => ofApp("quota")(r) && JSON.stringify(r.status ?? {}).includes("ReplicaFailure"))),
  },
  {
    name: "readiness never",
    scenario: deployment("notready", {
      containers: container(
        { kind: "readiness-never", message: "HTTP probe failed with statuscode: 503" },
        { readinessProbe: { httpGet: { path: "/ready", port: 8080 }, periodSeconds: 1, failureThreshold: READINESS_WINDOW_SECONDS } },
      ),
    }),
    cause: `first readiness failure + the probe's ${READINESS_WINDOW_SECONDS}s failure window`,
    causeAt: async (sim) => (await firstSeen(sim, eventSeen("notready", "Unhealthy"))) + READINESS_WINDOW_SECONDS * 1000,
  },
  {
    name: "mount failure",
    scenario: deployment("mount", { mountFailure: 'MountVolume.SetUp failed for volume "tls" : secret "web-tls" not found' }),
    cause: "first FailedMount",
    causeAt: (sim) => firstSeen(sim, eventSeen("mount", "FailedMount")),
  },
  {
    name: "unschedulable",
    scenario: deployment("bigmem", {
      unschedulable: "0/3 nodes are available: 3 Insufficient memory.",
      autoscaler: { outcome: "not-triggered" },
    }),
    cause: "autoscaler NotTriggerScaleUp",
    causeAt: (sim) => firstSeen(sim, eventSeen("bigmem", "NotTriggerScaleUp")),
  },
];

async function failureTable(sim: K8sSim, cluster: SimCluster, kubeconfig: string): Promise<void> {
  const runs = CLASSES.map((c) => {
    cluster.deploy(c.scenario);
    const workload = `deployment/${c.scenario.name}`;
    return {
      c,
      cause: c.causeAt(sim),
      ours: run(process.execPath, [BIN, "verify", workload, "-n", "shop", "--timeout", "10m"], { KUBECONFIG: kubeconfig }).done,
      kubectl: run(
        "kubectl",
        ["--kubeconfig", kubeconfig, "rollout", "status", workload, "-n", "shop", `--timeout=${KUBECTL_CAP_SECONDS}s`],
        {},
      ).done,
      start: Date.now(),
    };
  });
  console.log(
    `failure class      cause                                                    crashguard after cause   (start-up)  kubectl rollout status after cause`,
  );
  for (const r of runs) {
    const [cause, ours, kubectl] = await Promise.all([r.cause, r.ours, r.kubectl]);
    const watching =
      sim.arrivals.find((a) => a.userAgent === "crashguard-verify" && a.url.includes(`metadata.name=${r.c.scenario.name}`))?.at ?? r.start;
    const oursAfter = (ours.at - Math.max(cause, watching)) / 1000;
    const startup = `(${((watching - r.start) / 1000).toFixed(1)} s)`;
    const capped = kubectl.at - r.start >= KUBECTL_CAP_SECONDS * 1000 - 500;
    const theirs = capped
      ? `> ${((r.start + KUBECTL_CAP_SECONDS * 1000 - cause) / 1000).toFixed(1)} s (still waiting at its ${KUBECTL_CAP_SECONDS}s cap)`
      : `${((kubectl.at - cause) / 1000).toFixed(2)} s (exit ${kubectl.code})`;
    const mark = oursAfter <= TARGET_AFTER_CAUSE_SECONDS ? "" : `  (over the ${TARGET_AFTER_CAUSE_SECONDS} s target)`;
    console.log(
      `${r.c.name.padEnd(18)} ${r.c.cause.padEnd(56)} ${`${oursAfter.toFixed(2)} s (exit ${ours.code})`.padEnd(24)} ${startup.padEnd(11)} ${theirs}${mark}`,
    );
  }
}

/** A healthy rollout: the verdict should come within the stabilization window + 2 s of the last pod becoming Ready. */
async function successTiming(sim: K8sSim, cluster: SimCluster, kubeconfig: string): Promise<void> {
  const window = 10;
  cluster.deploy(deployment("ok", { replicas: 3 }));
  const ours = run(process.execPath, [BIN, "verify", "deployment/ok", "-n", "shop", "--timeout", "2m", "--stable-for", `${window}s`], {
    KUBECONFIG: kubeconfig,
  });
  const allReady = await firstSeen(sim, (pods) => {
    const mine = pods.filter(ofApp("ok"));
    return (
      mine.length === 3 &&
      mine.every((p) =>
        ((p.status as { conditions?: { type: string; status: string }[] })?.conditions ?? []).some(
          (c) => c.type === "Ready" && c.status === "True",
        ),
      )
    );
  });
  const done = await ours.done;
  console.log(
    `healthy rollout: verdict (exit ${done.code}) ${((done.at - allReady) / 1000).toFixed(2)} s after all pods were Ready; stabilization window ${window} s, target ≤ ${window + 2} s`,
  );
}

/**
 * A container spec of the size real ones have: the pods the API server then sends are about
 * 4.7 KB of JSON each (measured and printed), as pods of a typical Helm chart are.
 */
const REALISTIC_SPEC: Partial<Container> = {
  image: "registry.example.com/shop/api@sha256:4f2a9c0d6e1b7a3f5c8d2e9b0a6f4c1d7e3b8a5f2c9d0e6b1a7f4c3d8e2b5a9f",
  imagePullPolicy: "IfNotPresent",
  args: ["--config=/etc/api/config.yaml", "--log-format=json", "--metrics-addr=:9090"],
  ports: [
    { name: "http", containerPort: 8080, protocol: "TCP" },
    { name: "metrics", containerPort: 9090, protocol: "TCP" },
  ],
  env: Array.from({ length: 34 }, (_, i) => ({ name: `API_SETTING_${i}`, value: `value-of-setting-${i}-for-the-shop-api` })),
  resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "512Mi" } },
  readinessProbe: {
    httpGet: { path: "/ready", port: "http", scheme: "HTTP" },
    periodSeconds: 10,
    timeoutSeconds: 3,
    successThreshold: 1,
    failureThreshold: 3,
  },
  livenessProbe: {
    httpGet: { path: "/healthz", port: "http", scheme: "HTTP" },
    periodSeconds: 10,
    timeoutSeconds: 3,
    successThreshold: 1,
    failureThreshold: 3,
  },
  volumeMounts: [
    { name: "config", mountPath: "/etc/api", readOnly: true },
    { name: "tmp", mountPath: "/tmp" },
    { name: "kube-api-access", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true },
  ],
  securityContext: {
    runAsNonRoot: true,
    runAsUser: 10001,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  },
  terminationMessagePath: "/dev/termination-log",
  terminationMessagePolicy: "File",
};

/** Peak RSS targets by the number of pods watched. */
const MEMORY_TARGETS_MB = { 1000: 120, 5000: 200 } as const;
const MEMORY_RUN_TIMEOUT_SECONDS = 12;

async function memoryWhileWatching(
  sim: K8sSim,
  cluster: SimCluster,
  kubeconfig: string,
  pods: keyof typeof MEMORY_TARGETS_MB,
): Promise<number> {
  const name = `big-${pods}`;
  cluster.deploy({
    kind: "Deployment",
    namespace: "shop",
    name,
    replicas: pods,
    containers: [{ name: "api", behaviour: { kind: "healthy", readyAfter: 1e6 }, spec: REALISTIC_SPEC }],
  });
  const ours = run(process.execPath, [BIN, "verify", `deployment/${name}`, "-n", "shop", "--timeout", `${MEMORY_RUN_TIMEOUT_SECONDS}s`], {
    KUBECONFIG: kubeconfig,
  });
  let peakKb = 0;
  let cpuSeconds = 0;
  const sampler = setInterval(() => {
    try {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${ours.pid}/status`, "utf8"))?.[1] ?? 0);
      peakKb = Math.max(peakKb, kb);
      cpuSeconds = processCpuSeconds(ours.pid);
    } catch {
      // the process has exited
    }
  }, 100);
  const done = await ours.done;
  clearInterval(sampler);
  const served = sim.list("pods", "shop").filter((p) => p.metadata?.labels?.app === name);
  const size = served.reduce((n, p) => n + JSON.stringify(p).length, 0) / Math.max(1, served.length);
  // Valid only if the verifier watched all the pods until its own timeout: its verdict then is a failed rollout (exit 1).
  const progress = ours.stderr().trim().split("\n").pop() ?? "";
  const validity =
    done.code === 1 && progress.includes(`/${pods} ready`)
      ? `exit 1 at its ${MEMORY_RUN_TIMEOUT_SECONDS} s timeout, last progress "${progress}"`
      : `INVALID RUN: exit ${done.code}, not the timeout verdict: ${progress}`;
  console.log(
    `verifier watching ${pods} pods of ${(size / 1024).toFixed(1)} KB: peak RSS ${(peakKb / 1024).toFixed(1)} MB (target < ${MEMORY_TARGETS_MB[pods]} MB), ${cpuSeconds.toFixed(1)} CPU-s; ${validity}`,
  );
  return peakKb / 1024;
}

(async () => {
  const sim = await K8sSim.start();
  const cluster = new SimCluster(sim, 1);
  const kubeconfig = writeKubeconfig(sim.url);
  try {
    await failureTable(sim, cluster, kubeconfig);
    await successTiming(sim, cluster, kubeconfig);
    const ratios = [];
    for (const pods of [1000, 5000] as const)
      ratios.push((await memoryWhileWatching(sim, cluster, kubeconfig, pods)) / MEMORY_TARGETS_MB[pods]);
    console.log(
      `ratio=${Math.max(...ratios).toFixed(2)} (peak RSS / its target, the worse of 1,000 and 5,000 realistic pods: ${ratios.map((r) => r.toFixed(2)).join(", ")})`,
    );
  } finally {
    cluster.stop();
    await sim.stop();
  }
})();
