/**
 * Policy throughput: 2,000 Deployments analyzed over gRPC by the crashguard pack and by an empty
 * pack, in one run. Prints `ratio=<ours/empty>` (target ≤ 1.3) and the rule core's own rate on
 * the same pod templates (target ≥ 50,000 templates/s).
 *
 *   npm run bench:policy
 */
import { createRequire } from "module";
import * as path from "path";
import { performance } from "perf_hooks";
import { AnalyzedResource, PolicyPackClient } from "../cli/pack-client";
import { RULES, checkObject } from "../policies/rules";
import { median } from "./stats";

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
    apiVersion: "apps/v1", kind: "Deployment",
    metadata: { name, namespace: "bench", labels: { app: name } },
    spec: { replicas: 3, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [container] } } },
  };
  return { type: "kubernetes:apps/v1:Deployment", name, urn: `urn:pulumi:bench::crashguard::kubernetes:apps/v1:Deployment::${name}`, properties };
}

const ROUNDS = 3; // alternate the two packs and take each one's median: two cores make single runs noisy

async function timeAnalyze(pack: PolicyPackClient, resources: AnalyzedResource[]): Promise<{ seconds: number; diagnostics: number }> {
  let diagnostics = 0;
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < resources.length) {
      const found = await pack.analyze(resources[next++]);
      diagnostics += found.length;
    }
  }));
  return { seconds: (performance.now() - start) / 1000, diagnostics };
}


function ruleCoreRate(resources: AnalyzedResource[]): number {
  const rounds = 10;
  for (const r of resources) checkObject(r.properties, { typeToken: r.type }); // warm up
  const start = performance.now();
  for (let i = 0; i < rounds; i++) for (const r of resources) checkObject(r.properties, { typeToken: r.type });
  return (rounds * resources.length) / ((performance.now() - start) / 1000);
}

/**
 * Where a pack's per-resource time goes beyond the empty pack's: @pulumi/policy deserializes the
 * properties again for every policy (one per rule here), then our rule runs. Both measured in
 * process, in microseconds per resource.
 */
function perResourceCosts(resources: AnalyzedResource[]): { sdk: number; rules: number } {
  const policyRequire = createRequire(require.resolve("@pulumi/policy/package.json"));
  const { Struct } = policyRequire("google-protobuf/google/protobuf/struct_pb");
  const { deserializeProperties } = policyRequire("./deserialize");
  const { unknownCheckingProxy } = policyRequire("./proxy");
  const structs = resources.map((r) => Struct.fromJavaScript(r.properties));
  const micros = (work: () => void) => {
    work(); // warm up
    const start = performance.now();
    work();
    return ((performance.now() - start) * 1000) / resources.length;
  };
  const sdk = micros(() => {
    for (const s of structs) for (let i = 0; i < RULES.length; i++) unknownCheckingProxy(deserializeProperties(s, false));
  });
  const rules = micros(() => {
    for (const r of resources) for (const rule of RULES) checkObject(r.properties, { typeToken: r.type, rules: [rule.id] });
  });
  return { sdk, rules };
}

async function main(): Promise<void> {
  const resources = Array.from({ length: COUNT }, (_, i) => deployment(i));
  const packs = await Promise.all([path.join(__dirname, "empty-pack"), path.join(__dirname, "..", "policies")].map((dir) => PolicyPackClient.start(dir)));
  const times: number[][] = [[], []];
  let diagnostics = 0;
  try {
    for (const pack of packs) await Promise.all(resources.slice(0, 100).map((r) => pack.analyze(r))); // warm up both alike
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, pack] of packs.entries()) {
        const t = await timeAnalyze(pack, resources);
        times[i].push(t.seconds);
        if (i === 1) diagnostics = t.diagnostics;
      }
    }
  } finally {
    await Promise.all(packs.map((p) => p.stop()));
  }
  const [empty, ours] = times.map(median);
  const rate = ruleCoreRate(resources);
  console.log(`resources=${COUNT} concurrency=${CONCURRENCY} rounds=${ROUNDS} (median of each)`);
  console.log(`empty pack:      ${empty.toFixed(3)} s (${Math.round(COUNT / empty)} resources/s)  runs: ${times[0].map((t) => t.toFixed(2)).join(" ")}`);
  console.log(`crashguard pack: ${ours.toFixed(3)} s (${Math.round(COUNT / ours)} resources/s, ${diagnostics} diagnostics)  runs: ${times[1].map((t) => t.toFixed(2)).join(" ")}`);
  console.log(`rule core alone: ${Math.round(rate)} pod templates/s (target >= 50000)`);
  const costs = perResourceCosts(resources);
  console.log(`extra per resource: ${(((ours - empty) / COUNT) * 1e6).toFixed(0)} us, of which @pulumi/policy deserializing the inputs once per policy (${RULES.length} policies) ${costs.sdk.toFixed(0)} us and our rules ${costs.rules.toFixed(0)} us`);
  console.log(`ratio=${(ours / empty).toFixed(2)} (target <= 1.3)`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
