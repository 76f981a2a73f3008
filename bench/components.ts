/**
 * What a Workload costs over the resources it makes: 500 Workloads using the features of a real
 * app (volumes, ConfigMap env, a sidecar, autoscaling, workload identity) versus the same 500
 * Deployments (the very spec Workload builds) with the same HPA, PodDisruptionBudget and
 * ServiceAccount declared raw with @pulumi/kubernetes, each under Pulumi's mocks until every
 * registration is answered. Prints both times and `ratio=` (target ≤ 1.5).
 *
 *   npm run bench:components
 *
 * `setMocks` is process-global, so each half runs in a child process of its own; the halves
 * alternate over several rounds and each one's median counts (two cores make single runs noisy).
 */
import { execFileSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import * as pulumi from "@pulumi/pulumi";
import { median } from "./stats";

const COUNT = 500;
const ROUNDS = 5;
type Half = "workload" | "raw";

/** Child: declare COUNT of one kind under mocks; print the milliseconds until all are registered. */
async function runHalf(half: Half): Promise<void> {
  await pulumi.runtime.setMocks({ newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }), call: (args) => args.inputs });
  // Loaded after the mocks, as a program is; not part of the timing.
  const { Workload, workloadManifest } = await import("../components/workload");
  const { Deployment } = await import("@pulumi/kubernetes/apps/v1");
  const settings: {
    waitForRPCs(): Promise<void>;
    getMonitor(): { registerResourceHook?: (req: unknown, cb: (err: unknown, res: unknown) => void) => void };
  } = require("@pulumi/pulumi/runtime/settings");
  // Workloads attach a rollout-verification hook; the engine accepts hooks, the mock monitor lacks the call.
  settings.getMonitor().registerResourceHook ??= (_req, cb) => cb(null, {});
  const { HorizontalPodAutoscaler } = await import("@pulumi/kubernetes/autoscaling/v2");
  const { PodDisruptionBudget } = await import("@pulumi/kubernetes/policy/v1");
  const { ServiceAccount } = await import("@pulumi/kubernetes/core/v1");
  const args = (i: number) => ({
    image: `registry.example.com/app-${i}:1.0.${i}`,
    namespace: "bench",
    service: false,
    env: { MODE: "production" },
    volumes: [{ name: "settings", configMap: { name: `app-${i}-config` }, mountPath: "/etc/app", readOnly: true }],
    configEnv: { FEATURE_FLAGS: { configMapName: `app-${i}-config`, key: "flags" } },
    sidecars: [
      {
        name: "proxy",
        image: "registry.example.com/proxy:2.1.0",
        ports: [{ name: "admin", containerPort: 9901 }],
        livenessProbe: { httpGet: { path: "/alive", port: "admin" } },
      },
    ],
    autoscaling: { min: 2, max: 6 },
    workloadIdentity: { clientId: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}` },
  });
  // The same children Workload registers, declared by hand.
  const raw = (name: string, a: ReturnType<typeof args>) => {
    const metadata = { name, namespace: a.namespace, labels: { "app.kubernetes.io/name": name } };
    const account = new ServiceAccount(name, {
      metadata: { ...metadata, annotations: { "azure.workload.identity/client-id": a.workloadIdentity.clientId } },
    });
    new Deployment(name, workloadManifest(name, a), { dependsOn: [account] });
    new HorizontalPodAutoscaler(name, {
      metadata,
      spec: {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name },
        minReplicas: 2,
        maxReplicas: 6,
        metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
      },
    });
    new PodDisruptionBudget(name, { metadata, spec: { maxUnavailable: 1, selector: { matchLabels: metadata.labels } } });
  };

  const start = performance.now();
  for (let i = 0; i < COUNT; i++) {
    const name = `app-${i}`;
    if (half === "workload") new Workload(name, args(i));
    else raw(name, args(i));
  }
  await settings.waitForRPCs();
  process.stdout.write(String(performance.now() - start));
}

function timeHalf(half: Half): number {
  const out = execFileSync(process.execPath, [...process.execArgv, __filename, half], { encoding: "utf8" });
  return Number(out);
}

function main(): void {
  const times: Record<Half, number[]> = { workload: [], raw: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const half of ["raw", "workload"] as const) times[half].push(timeHalf(half));
  }
  const workload = median(times.workload);
  const raw = median(times.raw);
  console.log(`${COUNT} Workloads:        ${workload.toFixed(0)} ms (median of ${ROUNDS})`);
  console.log(`${COUNT} raw Deployments (+ HPA, PDB, ServiceAccount):  ${raw.toFixed(0)} ms`);
  console.log(`ratio=${(workload / raw).toFixed(2)} (target ≤ 1.5)`);
}

const half = process.argv[2];
if (half === "workload" || half === "raw") {
  runHalf(half).catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main();
}
