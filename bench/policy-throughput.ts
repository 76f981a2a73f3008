/**
 * Policy throughput: 2,000 Deployments analyzed over gRPC by an empty pack and by the crashguard
 * pack, in alternating rounds, wall time and each pack process's CPU time; then the rule core's
 * own rate on the same pod templates (target ≥ 50,000 templates per CPU-second, fixes rendered).
 * Prints `ratio=<ours/empty>`, the median of the rounds' ratios (target ≤ 1.2).
 *
 * The crashguard pack reads each request's inputs from its bytes (policies/request-inputs.ts),
 * where the empty pack has the SDK decode them with google-protobuf. So that the ratio does not
 * hide what the rules and the SDK's per-policy loop cost, each round also runs the crashguard pack
 * with `CRASHGUARD_SDK_DECODING=1` (decoding as the empty pack does) and prints that ratio too.
 *
 *   npm run bench:policy
 */
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { type AnalyzedResource, PolicyPackClient } from "../cli/pack-client";
import { checkObject, formatFinding } from "../policies/rules";
import { type Sample, describe, measure, median, pairedEach, processCpuSeconds } from "./stats";

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
  const packs = path.join(__dirname, "..", "policies");
  const [empty, ours, oursSdkDecoding] = await Promise.all([
    PolicyPackClient.start(path.join(__dirname, "empty-pack")),
    PolicyPackClient.start(packs),
    PolicyPackClient.start(packs, { env: { ...process.env, CRASHGUARD_SDK_DECODING: "1" } }),
  ]);
  const all = [empty, ours, oursSdkDecoding];
  let diagnostics = 0;
  let result;
  let sdkDecoding;
  try {
    for (const pack of all) await timeAnalyze(pack, resources.slice(0, 200)); // warm up all alike
    [result, sdkDecoding] = await pairedEach(ROUNDS, () => timeAnalyze(empty, resources), [
      async () => {
        const t = await timeAnalyze(ours, resources);
        diagnostics = t.diagnostics;
        return t;
      },
      async () => {
        const t = await timeAnalyze(oursSdkDecoding, resources);
        if (t.diagnostics !== diagnostics) throw new Error(`the pack found ${diagnostics} diagnostics, with SDK decoding ${t.diagnostics}`);
        return t;
      },
    ]);
  } finally {
    await Promise.all(all.map((p) => p.stop()));
  }
  const core = await ruleCore(resources);
  console.log(
    `resources=${COUNT} concurrency=${CONCURRENCY} rounds=${ROUNDS} (each round: empty pack, crashguard pack, crashguard pack with SDK decoding)`,
  );
  console.log(`empty pack:      ${describe(result.a)} of the pack process`);
  console.log(`crashguard pack: ${describe(result.b)} of the pack process, ${diagnostics} diagnostics`);
  console.log(`crashguard pack, CRASHGUARD_SDK_DECODING=1: ${describe(sdkDecoding.b)} of the pack process`);
  const extra = (median(sdkDecoding.b.map((s) => s.cpu)) - median(result.a.map((s) => s.cpu))) / COUNT;
  console.log(
    `with the SDK's decoding, as the empty pack has: ratio ${sdkDecoding.wallRatio.toFixed(2)} wall, ${sdkDecoding.cpuRatio.toFixed(2)} CPU; its conversion of the inputs, the SDK's per-policy loop and the rules cost ${Math.round(extra * 1e6)} µs of CPU per resource`,
  );
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
