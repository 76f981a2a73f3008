/**
 * `crashguard check` on a program of 1,000 Workloads: the whole preview — running the program
 * under mocks, then Remediate + Analyze for every resource and AnalyzeStack over the pack's gRPC
 * interface. Prints the seconds and resources/s.
 *
 *   npm run bench:check
 */
import * as fs from "fs";
import * as path from "path";
import { performance } from "perf_hooks";
import { main } from "../cli/check";

const WORKLOADS = 1000;

function writeProgram(dir: string): void {
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: bench-check\nruntime: nodejs\nmain: index.ts\n");
  fs.writeFileSync(path.join(dir, "index.ts"), [
    `import { Workload } from ${JSON.stringify(path.join(__dirname, "..", "components"))};`,
    `for (let i = 0; i < ${WORKLOADS}; i++) {`,
    `  new Workload(\`app-\${i}\`, { namespace: "bench", image: \`registry.example.com/app-\${i}:1.0.0\`, replicas: 2 });`,
    `}`,
  ].join("\n"));
}

async function bench(): Promise<void> {
  // Inside the repository, so the program resolves the same @pulumi packages as everything else.
  const dir = fs.mkdtempSync(path.join(__dirname, ".bench-check-"));
  try {
    writeProgram(dir);
    let out = "";
    const io = { stdout: (t: string) => void (out += t), stderr: () => undefined, env: process.env, readStdin: async () => "" };
    const start = performance.now();
    const code = await main([dir, "--output", "json"], io);
    const seconds = (performance.now() - start) / 1000;
    if (code === 2) throw new Error(`check failed: ${out}`);
    const report = JSON.parse(out) as { summary: { resources: number; mandatory: number; advisory: number } };
    console.log(`workloads=${WORKLOADS} resources=${report.summary.resources} violations: ${report.summary.mandatory} mandatory, ${report.summary.advisory} advisory`);
    console.log(`seconds=${seconds.toFixed(2)} resources/s=${Math.round(report.summary.resources / seconds)}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

bench().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
