/**
 * `crashguard diagnose` on a large dump: 10,000 pods and 20,000 events (a tenth of the pods
 * crash-looping, with their BackOff and Unhealthy events), in process, text output. Paired with
 * reading and JSON-parsing the same file, which any reader of the dump pays. Prints the seconds
 * (target ≤ 1 s) and `ratio=<diagnose/parse>`.
 *
 *   npm run bench:diagnose
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main as diagnose } from "../cli/diagnose";
import { describe, measure, median, paired } from "./stats";

const PODS = 10_000;
const ROUNDS = 5;
const NOW = "2026-11-25T10:00:00Z";

function pod(i: number): object {
  const crashing = i % 10 === 0;
  const name = `app-${i % 500}-7d9f8c-${i}`;
  const state = crashing
    ? { waiting: { reason: "CrashLoopBackOff", message: "back-off 5m0s restarting failed container" } }
    : { running: { startedAt: "2026-11-25T09:00:00Z" } };
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: `team-${i % 20}`,
      uid: `uid-${i}`,
      ownerReferences: [{ kind: "ReplicaSet", name: `app-${i % 500}-7d9f8c` }],
    },
    spec: {
      containers: [
        {
          name: "app",
          image: "registry.example.com/app:1.0",
          resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "512Mi" } },
        },
      ],
    },
    status: {
      phase: "Running",
      conditions: [{ type: "Ready", status: crashing ? "False" : "True" }],
      containerStatuses: [
        {
          name: "app",
          ready: !crashing,
          restartCount: crashing ? 5 : 0,
          image: "registry.example.com/app:1.0",
          imageID: "",
          started: !crashing,
          state,
          ...(crashing ? { lastState: { terminated: { exitCode: 137, reason: "OOMKilled", finishedAt: "2026-11-25T09:58:00Z" } } } : {}),
        },
      ],
    },
  };
}

function events(i: number): object[] {
  const p = pod(i) as { metadata: { name: string; namespace: string; uid: string } };
  const about = {
    kind: "Pod",
    name: p.metadata.name,
    namespace: p.metadata.namespace,
    uid: p.metadata.uid,
    fieldPath: "spec.containers{app}",
  };
  const crashing = i % 10 === 0;
  return [
    {
      kind: "Event",
      metadata: { name: `${p.metadata.name}.1` },
      involvedObject: about,
      type: "Normal",
      reason: "Pulled",
      message: "Container image already present on machine",
      lastTimestamp: "2026-11-25T09:00:00Z",
    },
    crashing
      ? {
          kind: "Event",
          metadata: { name: `${p.metadata.name}.2` },
          involvedObject: about,
          type: "Warning",
          reason: "BackOff",
          message: "Back-off restarting failed container app",
          lastTimestamp: "2026-11-25T09:59:00Z",
        }
      : {
          kind: "Event",
          metadata: { name: `${p.metadata.name}.2` },
          involvedObject: about,
          type: "Normal",
          reason: "Started",
          message: "Started container app",
          lastTimestamp: "2026-11-25T09:00:01Z",
        },
  ];
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crashguard-bench-diagnose-"));
  const file = path.join(dir, "dump.json");
  const items = [...Array.from({ length: PODS }, (_, i) => pod(i)), ...Array.from({ length: PODS }, (_, i) => events(i)).flat()];
  fs.writeFileSync(file, JSON.stringify({ apiVersion: "v1", kind: "List", items }));
  let output = "";
  const io = {
    stdout: (t: string) => (output = t),
    stderr: (t: string) => {
      throw new Error(t);
    },
    env: {},
    readStdin: async () => "",
  };
  try {
    const run = () =>
      measure(async () => {
        const code = await diagnose(["-f", file, "--now", NOW], io);
        if (code !== 1 || !output.startsWith(`${PODS / 10} of ${PODS} pods failing`))
          throw new Error(`diagnose said: ${output.slice(0, 200)}`);
      });
    await run(); // warm up
    const result = await paired(ROUNDS, () => measure(() => JSON.parse(fs.readFileSync(file, "utf8"))), run);
    console.log(`pods=${PODS} events=${2 * PODS} rounds=${ROUNDS} (paired: read+parse, then diagnose)`);
    console.log(`read + JSON.parse: ${describe(result.a)}`);
    console.log(`crashguard diagnose: ${describe(result.b)} (target <= 1 s)`);
    console.log(`CPU ratio: ${result.cpuRatio.toFixed(2)}`);
    console.log(`ratio=${result.wallRatio.toFixed(2)} (diagnose ${median(result.b.map((s) => s.wall)).toFixed(2)} s; target <= 1 s)`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
