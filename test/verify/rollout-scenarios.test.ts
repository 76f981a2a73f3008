/** Every rollout scenario against the simulator: verdict, reason, category, exit code and fix. */
import { verifyRollout } from "../../verify/rollout";
import { renderVerdict } from "../../verify/report";
import type { Verdict } from "../../verify/types";
import { SIM_TOKEN, type WorkloadScenario } from "../support/k8s-sim";
import { SECRET_ENV_VALUE, app, deployment, useSim } from "./sim-harness";

const h = useSim();

type Extra = { stableForSeconds?: number; timeoutSeconds?: number; unschedulableGraceSeconds?: number };

async function verify(s: WorkloadScenario, extra: Extra = {}): Promise<Verdict> {
  h.cluster.deploy(s);
  return watch(s, extra);
}

function watch(s: WorkloadScenario, extra: Extra = {}): Promise<Verdict> {
  return verifyRollout({
    kubeconfig: h.kubeconfig,
    workload: { kind: s.kind, namespace: s.namespace, name: s.name },
    stableForSeconds: 0.3,
    unschedulableGraceSeconds: 0.3,
    timeoutSeconds: 5,
    ...extra,
  });
}

function expectNoSecrets(v: Verdict): void {
  for (const text of [JSON.stringify(v), renderVerdict(v)]) {
    expect(text).not.toContain(SECRET_ENV_VALUE);
    expect(text).not.toContain(SIM_TOKEN);
  }
}

const failures: [
  string,
  WorkloadScenario,
  { category: string; reason: string; exitCode?: number; fixPath: string; fixText: RegExp; log?: string },
][] = [
  [
    "exit 1 crash loop",
    deployment("checkout", [app({ kind: "crash", runFor: 1, exitCode: 1, logs: ["Error: connect ECONNREFUSED 10.0.3.4:5432"] })]),
    {
      category: "app-error",
      reason: "Error",
      exitCode: 1,
      fixPath: "spec.template.spec.containers[0].command",
      fixText: /previous logs/,
      log: "ECONNREFUSED",
    },
  ],
  [
    "OOMKilled 137",
    deployment("reports", [
      app({ kind: "crash", runFor: 1, exitCode: 137, reason: "OOMKilled" }, { resources: { limits: { memory: "64Mi" } } }),
    ]),
    {
      category: "oom-killed",
      reason: "OOMKilled",
      exitCode: 137,
      fixPath: "spec.template.spec.containers[0].resources.limits.memory",
      fixText: /memory limit of 64Mi/,
    },
  ],
  [
    "liveness kill 143",
    deployment("search", [
      app(
        { kind: "liveness-kill", runFor: 1, exitCode: 143 },
        { livenessProbe: { httpGet: { path: "/healthz", port: 8080 }, timeoutSeconds: 2 } },
      ),
    ]),
    {
      category: "liveness-probe",
      reason: "Error",
      exitCode: 143,
      fixPath: "spec.template.spec.containers[0].livenessProbe",
      fixText: /initialDelaySeconds 0, periodSeconds 10, timeoutSeconds 2, failureThreshold 3.*startupProbe/,
    },
  ],
  [
    "liveness kill 137",
    deployment("search2", [app({ kind: "liveness-kill", runFor: 1, exitCode: 137 })]),
    {
      category: "liveness-probe",
      reason: "Error",
      exitCode: 137,
      fixPath: "spec.template.spec.containers[0].livenessProbe",
      fixText: /startupProbe/,
    },
  ],
  [
    "entrypoint not found 127",
    deployment("cmd", [app({ kind: "crash", runFor: 0.1, exitCode: 127 }, { command: ["/app/serve"] })]),
    {
      category: "not-found",
      reason: "Error",
      exitCode: 127,
      fixPath: "spec.template.spec.containers[0].command",
      fixText: /"\/app\/serve" was not found/,
    },
  ],
  [
    "StartError 128",
    deployment("start", [
      app({
        kind: "crash",
        runFor: 0.1,
        exitCode: 128,
        reason: "StartError",
        message: 'exec: "/app/server": stat /app/server: no such file or directory',
      }),
    ]),
    {
      category: "start-error",
      reason: "StartError",
      exitCode: 128,
      fixPath: "spec.template.spec.containers[0].command",
      fixText: /no such file/,
    },
  ],
  [
    "init container failure",
    deployment("migrator", [app({ kind: "healthy" })], {
      initContainers: [
        { name: "migrate", behaviour: { kind: "crash", runFor: 1, exitCode: 1, logs: ['relation "orders" does not exist'] } },
      ],
    }),
    {
      category: "app-error",
      reason: "Init:Error",
      exitCode: 1,
      fixPath: "spec.template.spec.initContainers[0].command",
      fixText: /previous logs/,
      log: "orders",
    },
  ],
  [
    "image pull failure",
    deployment("frontend", [app({ kind: "image-pull" }, { image: "registry.example.com/frontend:v9.9.9-typo" })]),
    // ErrImagePull turns into ImagePullBackOff half a (scaled) second later; either is the same failure.
    {
      category: "image-pull",
      reason: "ImagePull",
      fixPath: "spec.template.spec.containers[0].image",
      fixText: /frontend:v9\.9\.9-typo cannot be pulled/,
    },
  ],
  [
    "missing secret",
    deployment("payments", [
      app(
        { kind: "config-error", message: 'secret "db-creds" not found' },
        {
          env: [
            { name: "TOKEN", value: SECRET_ENV_VALUE },
            { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db-creds", key: "password" } } },
          ],
        },
      ),
    ]),
    {
      category: "config-error",
      reason: "CreateContainerConfigError",
      fixPath: "spec.template.spec.containers[0].env[1].valueFrom.secretKeyRef",
      fixText: /Secret "db-creds"/,
    },
  ],
  [
    "StatefulSet crash",
    { ...deployment("db", [app({ kind: "crash", runFor: 1, exitCode: 139 })]), kind: "StatefulSet" },
    {
      category: "segfault",
      reason: "Error",
      exitCode: 139,
      fixPath: "spec.template.spec.containers[0].image",
      fixText: /segmentation fault/,
    },
  ],
  [
    "DaemonSet crash",
    { ...deployment("agent", [app({ kind: "crash", runFor: 1, exitCode: 126 })]), kind: "DaemonSet" },
    {
      category: "not-executable",
      reason: "Error",
      exitCode: 126,
      fixPath: "spec.template.spec.containers[0].command",
      fixText: /not executable/,
    },
  ],
];

describe("failing rollouts fail fast with a diagnosis", () => {
  test.each(failures)("%s", async (_name, scenario, want) => {
    const v = await verify(scenario);
    expect(v).toMatchObject({ verdict: "failed", reason: "pod-failed" });
    expect(v.elapsedSeconds).toBeLessThan(2);
    const f = v.pods[0].failures[0];
    expect(f).toMatchObject({
      category: want.category,
      reason:
        want.reason === "ImagePull" ? expect.stringMatching(/^(ErrImagePull|ImagePullBackOff)$/) : expect.stringContaining(want.reason),
      fix: { path: want.fixPath },
    });
    expect(f.exitCode).toBe(want.exitCode);
    expect(f.fix.text).toMatch(want.fixText);
    if (want.log) expect(Object.values(v.pods[0].logs).flat().join("\n")).toContain(want.log);
    expect(v.pods[0].commands[0]).toBe(`kubectl describe pod ${v.pods[0].pod} -n shop`);
    expectNoSecrets(v);
  });
});

describe("healthy rollouts", () => {
  test("succeed once every new pod stayed ready for the window", async () => {
    const v = await verify(deployment("web", [app({ kind: "healthy" })], { replicas: 3 }));
    expect(v).toMatchObject({ verdict: "succeeded", desiredPods: 3, readyPods: 3, pods: [] });
    expect(v.elapsedSeconds).toBeGreaterThanOrEqual(0.3);
  });

  test("a slow start is waited for, not failed", async () => {
    const v = await verify(deployment("slow", [app({ kind: "healthy", readyAfter: 60 })]));
    expect(v.verdict).toBe("succeeded");
    expect(v.elapsedSeconds).toBeGreaterThanOrEqual(1.2);
  });

  test("StatefulSet and DaemonSet", async () => {
    expect((await verify({ ...deployment("kv", [app({ kind: "healthy" })]), kind: "StatefulSet" })).verdict).toBe("succeeded");
    expect((await verify({ ...deployment("node-agent", [app({ kind: "healthy" })]), kind: "DaemonSet" })).verdict).toBe("succeeded");
  });

  test("a crash after the pods became ready, within the window, fails the rollout", async () => {
    const v = await verify(deployment("late", [app({ kind: "crash", runFor: 20, exitCode: 1 })]), { stableForSeconds: 3 });
    expect(v).toMatchObject({ verdict: "failed", reason: "pod-failed" });
  });
});

describe("the cluster acting on the rollout (simulated controllers)", () => {
  test("a quota rejection fails at once with the quota's message", async () => {
    const v = await verify(
      deployment("quota", [app({ kind: "healthy" })], {
        quotaExceeded: "exceeded quota: compute, requested: limits.memory=2Gi, used: limits.memory=7Gi, limited: limits.memory=8Gi",
      }),
    );
    expect(v).toMatchObject({
      verdict: "failed",
      reason: "replica-failure",
      message: expect.stringMatching(/exceeded quota: compute.*ResourceQuota/),
    });
  });

  test("readiness that never passes fails once past the probe's window, quoting the probe's failures", async () => {
    const s = deployment(
      "notready",
      [
        app(
          { kind: "readiness-never", message: "HTTP probe failed with statuscode: 503" },
          { readinessProbe: { httpGet: { path: "/ready", port: 8080 }, periodSeconds: 1, failureThreshold: 1 } },
        ),
      ],
      { replicas: 1 },
    );
    const v = await verify(s, { timeoutSeconds: 10 });
    expect(v).toMatchObject({ verdict: "failed", reason: "pod-failed" });
    expect(v.pods[0].failures[0]).toMatchObject({ category: "readiness-probe", message: expect.stringMatching(/statuscode: 503/) });
    expect(v.elapsedSeconds).toBeGreaterThanOrEqual(1);
  });

  test("a Secret volume that does not exist fails at once (FailedMount)", async () => {
    const v = await verify(
      deployment("mount", [app({ kind: "healthy" })], {
        replicas: 1,
        mountFailure: 'MountVolume.SetUp failed for volume "tls" : secret "web-tls" not found',
      }),
    );
    expect(v).toMatchObject({ verdict: "failed", reason: "pod-failed" });
    expect(v.pods[0].podFailure).toMatchObject({ category: "mount", message: expect.stringContaining('secret "web-tls" not found') });
  });

  test("unschedulable while the autoscaler adds a node: waits, says so, and succeeds when the node comes", async () => {
    const progress: string[] = [];
    h.cluster.deploy(
      deployment("scaleup", [app({ kind: "healthy" })], {
        replicas: 1,
        unschedulable: "0/3 nodes are available: 3 Insufficient cpu.",
        autoscaler: { outcome: "triggered", nodeArrivesAfter: 60 },
      }),
    );
    const v = await verifyRollout({
      kubeconfig: h.kubeconfig,
      workload: { kind: "Deployment", namespace: "shop", name: "scaleup" },
      stableForSeconds: 0.3,
      unschedulableGraceSeconds: 0.3,
      timeoutSeconds: 10,
      onProgress: (p) => progress.push(p.waitingFor),
    });
    expect(v.verdict).toBe("succeeded");
    expect(progress.join("\n")).toMatch(/the cluster autoscaler to add a node \(pod triggered scale-up/);
  });

  test("NotTriggerScaleUp fails with the autoscaler's reason", async () => {
    const s = deployment("noscale", [app({ kind: "healthy" })], {
      replicas: 1,
      unschedulable: "0/3 nodes are available: 3 Insufficient cpu.",
      autoscaler: { outcome: "not-triggered" },
    });
    const v = await verify(s, { unschedulableGraceSeconds: 30 });
    expect(v).toMatchObject({ verdict: "failed", reason: "unschedulable" });
    expect(v.pods[0].podFailure?.message).toMatch(/will not add a node: pod didn't trigger scale-up/);
  });

  test("an HPA scaling the Deployment mid-rollout is scaling, not a new revision", async () => {
    const s = deployment("hpa", [app({ kind: "healthy", readyAfter: 10 })], { replicas: 1 });
    h.cluster.deploy(s);
    let scaled = false;
    // Scale while the verifier waits for the first pod: it has seen generation 1's revision by then.
    const onProgress = (p: { waitingFor: string }) => {
      if (scaled || !/more pods to become ready/.test(p.waitingFor)) return;
      scaled = true;
      h.cluster.scaleTo(s, 3);
    };
    const pending = verifyRollout({
      kubeconfig: h.kubeconfig,
      workload: { kind: "Deployment", namespace: "shop", name: "hpa" },
      expectedGeneration: 1,
      stableForSeconds: 0.3,
      timeoutSeconds: 10,
      onProgress,
    });
    await expect(pending).resolves.toMatchObject({ verdict: "succeeded", desiredPods: 3, readyPods: 3, workload: { generation: 2 } });
  });

  test("a paused Deployment's new template is never verified against the old pods", async () => {
    h.cluster.deploy(deployment("paused", [app({ kind: "healthy" })], { replicas: 1 }));
    await new Promise((r) => setTimeout(r, 300));
    const paused = deployment("paused", [app({ kind: "healthy" }, { image: "registry.example.com/api:2.0" })], {
      replicas: 1,
      paused: true,
    });
    const v = await verify(paused, { timeoutSeconds: 1 });
    expect(v).toMatchObject({ verdict: "failed", reason: "timeout", cause: expect.stringMatching(/resumed \(spec\.paused is true/) });
  });

  test("a StatefulSet partition replaces only the ordinals above it", async () => {
    const s = { ...deployment("kv", [app({ kind: "healthy" })], { replicas: 3 }), kind: "StatefulSet" as const };
    h.cluster.deploy(s);
    await new Promise((r) => setTimeout(r, 300));
    const v = await verify({ ...s, containers: [app({ kind: "healthy" }, { image: "registry.example.com/api:2.0" })], partition: 2 });
    expect(v).toMatchObject({ verdict: "succeeded", desiredPods: 1 });
  });
});

describe("rollout-level failures", () => {
  test("unschedulable past the grace period", async () => {
    const v = await verify(
      deployment("bigmem", [app({ kind: "healthy" })], { unschedulable: "0/3 nodes are available: 3 Insufficient memory." }),
    );
    expect(v).toMatchObject({ verdict: "failed", reason: "unschedulable" });
    expect(v.elapsedSeconds).toBeGreaterThanOrEqual(0.3);
    expect(v.pods[0].podFailure?.fix.text).toMatch(/resources\.requests/);
    expect(v.pods[0].events.map((e) => e.reason)).toContain("FailedScheduling");
  });

  test("ProgressDeadlineExceeded", async () => {
    const v = await verify(deployment("stuck", [app({ kind: "healthy", readyAfter: 1e6 })], { progressDeadlineSeconds: 30 }));
    expect(v).toMatchObject({ verdict: "failed", reason: "progress-deadline" });
    expect(v.message).toMatch(/timed out progressing/);
  });

  test("overall timeout names the pods still not ready", async () => {
    const v = await verify(deployment("never", [app({ kind: "healthy", readyAfter: 1e6 })], { replicas: 1 }), { timeoutSeconds: 0.5 });
    expect(v).toMatchObject({ verdict: "failed", reason: "timeout" });
    expect(v.pods).toHaveLength(1);
  });

  test("a newer generation supersedes the one being verified", async () => {
    const s = deployment("moving", [app({ kind: "healthy", readyAfter: 1e6 })]);
    h.cluster.deploy(s);
    const pending = verifyRollout({
      kubeconfig: h.kubeconfig,
      workload: { kind: "Deployment", namespace: "shop", name: "moving" },
      expectedGeneration: 1,
      timeoutSeconds: 5,
    });
    setTimeout(() => h.cluster.deploy(s), 200);
    await expect(pending).resolves.toMatchObject({
      verdict: "failed",
      reason: "superseded",
      message: expect.stringMatching(/generation 2 replaced generation 1/),
    });
  });

  test("a missing workload", async () => {
    const v = await verifyRollout({
      kubeconfig: h.kubeconfig,
      workload: { kind: "Deployment", namespace: "shop", name: "ghost" },
      timeoutSeconds: 5,
    });
    expect(v).toMatchObject({ verdict: "failed", reason: "not-found" });
  });

  test("only the new revision's pods count", async () => {
    h.cluster.deploy(deployment("canary", [app({ kind: "crash", runFor: 1, exitCode: 1 })], { replicas: 1 }));
    await new Promise((r) => setTimeout(r, 300));
    const v = await verify(deployment("canary", [app({ kind: "healthy" })], { replicas: 1 }));
    expect(v).toMatchObject({ verdict: "succeeded" });
  });
});
