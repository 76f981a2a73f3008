/**
 * Policy throughput: 2,000 Deployments analyzed over gRPC by the crashguard pack and by an empty
 * pack, in alternating rounds, wall time and each pack process's CPU time; then the rule core's
 * own rate on the same pod templates (target ≥ 50,000 templates per CPU-second, fixes rendered).
 * Prints `ratio=<ours/empty>`, the median of the rounds' ratios (target ≤ 1.2).
 *
 *   npm run bench:policy
 */
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { type AnalyzedResource, PolicyPackClient } from "../cli/pack-client";
import { checkObject, formatFinding } from "../policies/rules";
import { type Sample, describe, measure, median, paired, processCpuSeconds } from "./stats";

const COUNT = 2000;
const CONCURRENCY = 16; // the engine analyzes resources as they register, many in flight at once

function deployment(i: number): AnalyzedResource {
  const bad = i % 3 === 0; // a third of them carry findings, so reporting is part of the cost
  const container = {
    name: "app",
    image: `registry.example.com/app-${i}:1.0.${i}`,
    ports: [{ name: "http", containerPort: 8080 }],
    env: [{ name: "MODE", value: "production" }],
    resources: bad ? { requests: { memory: "512MB" } } : { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "512Mi" } },
    readinessProbe: { httpGet: { path: "/ready", port: "http" }, periodSeconds: 10, timeoutSeconds: 3 },
    ...(bad ? {} : { livenessProbe: { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 10, timeoutSeconds: 3 } }),
  };
  const name = `app-${i}`;
  const properties = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "bench", labels: { app: name } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [container] } },
    },
  };
  return {
    type: "kubernetes:apps/v1:Deployment",
    name,
    urn: `urn:pulumi:bench::crashguard::kubernetes:apps/v1:Deployment::${name}`,
    properties,
  };
}

const ROUNDS = 7;
const CORE_ROUNDS = 7;
const WARM_UP_PASSES = 10;

/** One pass of every resource through a pack, 16 in flight; CPU time is the pack process's own. */
async function timeAnalyze(pack: PolicyPackClient, resources: AnalyzedResource[]): Promise<Sample & { diagnostics: number }> {
  let diagnostics = 0;
  let next = 0;
  const cpu = processCpuSeconds(pack.pid!);
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < resources.length) {
        const found = await pack.analyze(resources[next++]);
        diagnostics += found.length;
      }
    }),
  );
  return { wall: (performance.now() - start) / 1000, cpu: processCpuSeconds(pack.pid!) - cpu, diagnostics };
}

/**
 * The rule core as the pack and lint use it: every finding's text rendered with its fix, on
 * objects it has never seen (a copy per round, made before the clock starts), rated by CPU time.
 */
async function ruleCore(resources: AnalyzedResource[]): Promise<{ rate: number; firstRate: number; findings: number }> {
  const pass = (objects: AnalyzedResource[]) => {
    let findings = 0;
    for (const r of objects)
      for (const f of checkObject(r.properties, { typeToken: r.type, name: r.name })) findings += formatFinding(f).length > 0 ? 1 : 0;
    return findings;
  };
  // The first passes run while V8 is still compiling the rules; a pack analyzing a stack is past
  // that after its first few thousand resources. Both figures are printed.
  const firstFresh = structuredClone(resources);
  const first = await measure(() => pass(firstFresh));
  for (let i = 0; i < WARM_UP_PASSES; i++) pass(structuredClone(resources));
  const cpu: number[] = [];
  let findings = 0;
  for (let i = 0; i < CORE_ROUNDS; i++) {
    const fresh = structuredClone(resources);
    const s = await measure(() => (findings = pass(fresh)));
    cpu.push(s.cpu);
  }
  return { rate: resources.length / median(cpu), firstRate: resources.length / first.cpu, findings };
}

async function main(): Promise<void> {
  const resources = Array.from({ length: COUNT }, (_, i) => deployment(i));
  const [empty, ours] = await Promise.all(
    [path.join(__dirname, "empty-pack"), path.join(__dirname, "..", "policies")].map((dir) => PolicyPackClient.start(dir)),
  );
  let diagnostics = 0;
  let result;
  try {
    for (const pack of [empty, ours]) await timeAnalyze(pack, resources.slice(0, 200)); // warm up both alike
    result = await paired(
      ROUNDS,
      () => timeAnalyze(empty, resources),
      async () => {
        const t = await timeAnalyze(ours, resources);
        diagnostics = t.diagnostics;
        return t;
      },
    );
  } finally {
    await Promise.all([empty, ours].map((p) => p.stop()));
  }
  const core = await ruleCore(resources);
  console.log(`resources=${COUNT} concurrency=${CONCURRENCY} rounds=${ROUNDS} (paired: empty pack, then crashguard pack)`);
  console.log(`empty pack:      ${describe(result.a)} of the pack process`);
  console.log(`crashguard pack: ${describe(result.b)} of the pack process, ${diagnostics} diagnostics`);
  console.log(
    `rule core with fixes rendered, fresh objects: ${Math.round(core.rate)} pod templates per CPU-s once compiled (median of ${CORE_ROUNDS} passes after ${WARM_UP_PASSES + 1}), ${Math.round(core.firstRate)} on the first pass; ${core.findings} findings (target >= 50000)`,
  );
  console.log(`CPU ratio: ${result.cpuRatio.toFixed(2)}`);
  console.log(`ratio=${result.wallRatio.toFixed(2)} (target <= 1.2)`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
