/**
 * Lint throughput: a 10,000-workload YAML stream through `crashguard lint` (in process, so
 * process start-up is not counted) versus parsing the same stream with `yaml` alone, as lint
 * does (all documents, to JS). Prints `ratio=<lint/parse>`; target ≤ 1.5.
 *
 *   npm run bench:lint
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { parseAllDocuments } from "yaml";
import { lintFiles } from "../cli/lint";
import { ruleSettings } from "../cli/policy-config";
import { median } from "./stats";

const WORKLOADS = 10_000;
const ROUNDS = 3;

function workload(i: number): string {
  const name = `app-${i}`;
  const bad = i % 4 === 0;
  const resources = bad ? "            requests: { memory: 512MB }" : "            requests: { cpu: 250m, memory: 256Mi }\n            limits: { memory: 512Mi }";
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


function main(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crashguard-bench-lint-"));
  const file = path.join(dir, "stream.yaml");
  fs.writeFileSync(file, Array.from({ length: WORKLOADS }, (_, i) => workload(i)).join("---\n"));
  const settings = ruleSettings({});
  const parse: number[] = [];
  const lint: number[] = [];
  let findings = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      let t = performance.now();
      const docs = parseAllDocuments(fs.readFileSync(file, "utf8"));
      if (!Array.isArray(docs) || docs.map((d) => d.toJS()).length !== WORKLOADS) throw new Error("parse baseline read the wrong number of documents");
      parse.push(performance.now() - t);
      t = performance.now();
      const report = lintFiles([file], () => "", settings);
      lint.push(performance.now() - t);
      if (report.summary.workloads !== WORKLOADS) throw new Error(`lint read ${report.summary.workloads} workloads`);
      findings = report.findings.length;
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const [p, l] = [median(parse), median(lint)];
  console.log(`workloads=${WORKLOADS} findings=${findings} rounds=${ROUNDS} (median)`);
  console.log(`yaml parse only: ${(p / 1000).toFixed(2)} s`);
  console.log(`crashguard lint: ${(l / 1000).toFixed(2)} s (${Math.round(WORKLOADS / (l / 1000))} workloads/s)`);
  console.log(`ratio=${(l / p).toFixed(2)} (target <= 1.5)`);
}

main();
