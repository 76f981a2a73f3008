/**
 * `crashguard check` on a program of 1,000 Workloads, as users run it: the whole preview — the
 * program under mocks, Remediate + Analyze for every resource as the program registers it, then
 * AnalyzeStack, over the pack's gRPC interface. Paired with the same check sending the same resources to the empty pack in
 * bench/empty-pack, in alternating rounds; wall time, CPU time of the command and every process it
 * waited for, and the largest process's peak RSS, read by GNU time. Targets: ≤ 25 CPU-s, ≤ 600 MB.
 * Prints `ratio=<crashguard pack/empty pack>`, the median of the rounds' wall ratios. Needs `npm run build`.
 *
 *   npm run bench:check
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, paired, runProcess } from "./stats";

const WORKLOADS = 1000;
const ROUNDS = 3;
const BIN = path.join(__dirname, "..", "bin", "crashguard.js");

function writeProgram(dir: string): void {
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: bench-check\nruntime: nodejs\nmain: index.ts\n");
  fs.writeFileSync(
    path.join(dir, "index.ts"),
    [
      // The built package, as an app that installed crashguard imports it (not its TypeScript sources).
      `import { Workload } from ${JSON.stringify(path.join(__dirname, ".."))};`,
      `for (let i = 0; i < ${WORKLOADS}; i++) {`,
      `  new Workload(\`app-\${i}\`, { namespace: "bench", image: \`registry.example.com/app-\${i}:1.0.0\`, replicas: 2 });`,
      `}`,
    ].join("\n"),
  );
}

async function bench(): Promise<void> {
  // Inside the repository, so the program resolves the same @pulumi packages as everything else.
  const dir = fs.mkdtempSync(path.join(__dirname, ".bench-check-"));
  try {
    writeProgram(dir);
    const check = (pack: string[]) => async () => {
      const s = runProcess(process.execPath, [BIN, "check", dir, "--output", "json", ...pack]);
      if (s.code === 2) throw new Error(`crashguard check ${pack.join(" ")} could not run the program`);
      return s;
    };
    const result = await paired(ROUNDS, check(["--policy-pack", path.join(__dirname, "empty-pack")]), check([]));
    const peak = (samples: { peakMB: number }[]) => Math.max(...samples.map((s) => s.peakMB)).toFixed(0);
    console.log(`workloads=${WORKLOADS} rounds=${ROUNDS} (paired: check with the empty pack, then with crashguard's)`);
    console.log(`empty pack:      ${describe(result.a)}, peak RSS ${peak(result.a)} MB`);
    console.log(`crashguard pack: ${describe(result.b)}, peak RSS ${peak(result.b)} MB (targets <= 25 CPU-s, <= 600 MB)`);
    console.log(`CPU ratio: ${result.cpuRatio.toFixed(2)}`);
    console.log(`ratio=${result.wallRatio.toFixed(2)}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

bench().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
