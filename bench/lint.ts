/**
 * Lint throughput: a 10,000-workload YAML stream through `crashguard lint` (in process, so
 * process start-up is not counted) versus parsing the same stream with `yaml` alone with lint's
 * parse options (all documents, to JS), in alternating rounds; files of 2,000 workloads. Then
 * `crashguard lint` as users run it on 10,000, 50,000 and 100,000 workloads: time and peak memory
 * (target ≤ 300 MB, linear).
 * Prints `ratio=<lint/parse>`, the median of the rounds' ratios; target ≤ 1.5. Needs `npm run build`.
 *
 *   npm run bench:lint
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LineCounter, parseAllDocuments } from "yaml";
import { lintEach } from "../cli/lint-engine";
import { ruleSettings } from "../cli/policy-config";
import { type ProcessSample, describe, measure, paired, runProcess } from "./stats";

const WORKLOADS = 10_000;
/** Workloads per file: a file of more YAML tokens than lint's budget (cli/manifests.ts) is refused. */
const PER_FILE = 2_000;
const ROUNDS = 5;
/** Workloads for the memory and scaling runs, as users run lint. */
const SCALES = [10_000, 50_000, 100_000];
const BIN = path.join(__dirname, "..", "bin", "crashguard.js");

function workload(i: number): string {
  const name = `app-${i}`;
  const bad = i % 4 === 0;
  const resources = bad
    ? "            requests: { memory: 512MB }"
    : "            requests: { cpu: 250m, memory: 256Mi }\n            limits: { memory: 512Mi }";
  const container = `        - name: app
          image: registry.example.com/${name}:1.0.${i}
          ports: [{ name: http, containerPort: 8080 }]
          resources:
${resources}
          readinessProbe: { httpGet: { path: /ready, port: http }, periodSeconds: 10, timeoutSeconds: 3 }
          livenessProbe: { httpGet: { path: /healthz, port: http }, periodSeconds: 10, timeoutSeconds: 3 }`;
  if (i % 10 === 9) {
    return `apiVersion: batch/v1\nkind: CronJob\nmetadata: { name: ${name}, namespace: bench }\nspec:\n  schedule: "0 * * * *"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers:\n${container.replace(/^/gm, "    ")}\n`;
  }
  const kind = i % 10 === 8 ? "StatefulSet" : "Deployment";
  return `apiVersion: apps/v1\nkind: ${kind}\nmetadata: { name: ${name}, namespace: bench, labels: { app: ${name} } }\nspec:\n  replicas: 3\n  selector: { matchLabels: { app: ${name} } }\n  template:\n    metadata: { labels: { app: ${name} } }\n    spec:\n      containers:\n${container}\n`;
}

/** The same parse lint does, with the same options, with nothing after it: the floor of any YAML linter. */
function parseOnly(text: string): number {
  let documents = 0;
  for (const doc of parseAllDocuments(text, { lineCounter: new LineCounter(), uniqueKeys: false, merge: true, logLevel: "error" })) {
    if (doc.toJS({ maxAliasCount: 100 }) !== null) documents++;
  }
  return documents;
}

/** A directory of files of PER_FILE workloads each, `count` workloads in all. */
function writeFiles(dir: string, count: number, file: string): string[] {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir);
  const stream = Array.from({ length: PER_FILE }, (_, i) => workload(i)).join("---\n");
  return Array.from({ length: count / PER_FILE }, (_, i) => {
    const name = path.join(dir, `${file}-${i}.yaml`);
    fs.writeFileSync(name, stream);
    return name;
  });
}

/** `crashguard lint` as users run it, on a directory of `count` workloads. */
function lintDirectory(dir: string, count: number): ProcessSample {
  writeFiles(dir, count, "stream");
  const sample = runProcess(process.execPath, [BIN, "lint", dir, "--output", "json"]);
  if (sample.code !== 1) throw new Error(`crashguard lint exited ${sample.code} on ${count} workloads with findings`);
  return sample;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crashguard-bench-lint-"));
  const files = writeFiles(path.join(dir, "paired"), WORKLOADS, "stream");
  const settings = ruleSettings({});
  let findings = 0;
  try {
    const result = await paired(
      ROUNDS,
      () =>
        measure(() => {
          const documents = files.reduce((n, f) => n + parseOnly(fs.readFileSync(f, "utf8")), 0);
          if (documents !== WORKLOADS) throw new Error("parse baseline read the wrong number of documents");
        }),
      () =>
        measure(() => {
          // As the CLI runs it: findings streamed to a sink (here one that only counts them).
          let found = 0;
          const report = lintEach(files, () => "", settings, { findings: (f) => void (found += f.length), fileDone: () => {} });
          if (report.summary.workloads !== WORKLOADS)
            throw new Error(`lint read ${report.summary.workloads} workloads: ${JSON.stringify(report.errors.slice(0, 2))}`);
          findings = found;
        }),
    );
    const scaling = SCALES.map((workloads) => ({ workloads, ...lintDirectory(path.join(dir, "many"), workloads) }));
    console.log(
      `workloads=${WORKLOADS} in ${files.length} files, findings=${findings} rounds=${ROUNDS} (paired: yaml parse with lint's options, then lint, in process)`,
    );
    console.log(`yaml parse only: ${describe(result.a)}`);
    console.log(`crashguard lint: ${describe(result.b)}`);
    for (const s of scaling)
      console.log(
        `crashguard lint ${s.workloads} workloads: ${s.wall.toFixed(1)} s wall, ${s.cpu.toFixed(1)} CPU-s, peak RSS ${Math.round(s.peakMB)} MB (target <= 300 MB at 100000, linear)`,
      );
    console.log(`CPU ratio: ${result.cpuRatio.toFixed(2)}`);
    console.log(`ratio=${result.wallRatio.toFixed(2)} (target <= 1.5)`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
