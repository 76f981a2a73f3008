/**
 * Start-up where users wait: `crashguard lint` on one small file, as a user runs it
 * (`node bin/crashguard.js`, the compiled CLI), paired with `node -e 0` — the floor any Node CLI
 * pays — in alternating rounds, wall and CPU time read by GNU time. Then the policy pack's start:
 * from spawning it as the Pulumi CLI does to its gRPC port answering (target ≤ 3 s wall).
 * Prints `ratio=<lint/node>` (target ≤ 1.5). Needs `npm run build` first.
 *
 *   npm run bench:startup
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { PolicyPackClient } from "../cli/pack-client";
import { describe, median, paired, runProcess } from "./stats";

// Each side runs for some 30-60 ms: many rounds, so the median pair is not one the other work on a
// shared machine happened to land on.
const ROUNDS = 31;
const PACK_STARTS = 3;
const BIN = path.join(__dirname, "..", "bin", "crashguard.js");

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: registry.example.com/web:1.4.2
          ports: [{ name: http, containerPort: 8080 }]
          resources: { requests: { cpu: 100m, memory: 128Mi }, limits: { memory: 256Mi } }
          readinessProbe: { httpGet: { path: /ready, port: http } }
          livenessProbe: { httpGet: { path: /healthz, port: http }, periodSeconds: 10, timeoutSeconds: 3 }
`;

async function packStart(): Promise<number> {
  const start = performance.now();
  const pack = await PolicyPackClient.start(path.join(__dirname, "..", "policies"));
  const seconds = (performance.now() - start) / 1000;
  await pack.stop();
  return seconds;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crashguard-bench-startup-"));
  const file = path.join(dir, "web.yaml");
  fs.writeFileSync(file, MANIFEST);
  try {
    const lint = async () => {
      const s = runProcess(process.execPath, [BIN, "lint", file]);
      if (s.code !== 0) throw new Error(`crashguard lint exited ${s.code} on a clean manifest`);
      return s;
    };
    await lint(); // warm the file cache for both sides, and make lint's code cache as any first run does (bin/crashguard.js)
    const result = await paired(ROUNDS, async () => runProcess(process.execPath, ["-e", "0"]), lint);
    const packs: number[] = [];
    for (let i = 0; i < PACK_STARTS; i++) packs.push(await packStart());
    console.log(`rounds=${ROUNDS} (paired: node -e 0, then crashguard lint one file)`);
    console.log(`node -e 0:       ${describe(result.a)}`);
    console.log(`crashguard lint: ${describe(result.b)}`);
    console.log(
      `pack start: ${median(packs).toFixed(2)} s wall (median of ${PACK_STARTS}: ${packs.map((s) => s.toFixed(2)).join(" ")}; target <= 3 s)`,
    );
    // GNU time counts CPU in hundredths of a second, coarse beside runs this short: the total over
    // every round is the finer figure.
    const totalCpu = (samples: { cpu: number }[]) => samples.reduce((sum, s) => sum + s.cpu, 0);
    console.log(
      `CPU ratio: ${result.cpuRatio.toFixed(2)} (median of pairs), ${(totalCpu(result.b) / totalCpu(result.a)).toFixed(2)} (total over all rounds)`,
    );
    console.log(`ratio=${result.wallRatio.toFixed(2)} (target <= 1.5)`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
