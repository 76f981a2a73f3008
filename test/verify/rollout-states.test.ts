/**
 * One table of rollout states (test/fixtures/rollout-states.yaml) drives both `verify`, against
 * the simulator serving the row's objects, and `diagnose`, on the same objects as a
 * `kubectl get pods,events -o json` dump judged at the row's `now`. Graces are shortened for
 * `verify` so the suite stays fast; bounds are checked as lower bounds and as "before the
 * timeout", never as wall-clock upper limits.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main as diagnose } from "../../cli/diagnose";
import { verifyRollout } from "../../verify/rollout";
import type { PodDiagnosis, Verdict } from "../../verify/types";
import { fakeIO } from "../support/io";
import { DEFAULT_NOW, NAMESPACE, WORKLOAD, applyStep, dump, loadStateTable, serve, type StateRow } from "./state-table";
import { useSim } from "./sim-harness";

const h = useSim();
const rows = loadStateTable();
const GRACE = 0.3;
const graces = { unschedulable: GRACE, stuck: GRACE, initRunning: GRACE, readiness: GRACE, nodeProvisioning: 1.5 };

function firstCause(pods: PodDiagnosis[]): { category?: string; fixPath?: string; text: string } {
  const d = pods.find((p) => p.failures.length > 0 || p.podFailure || p.waiting?.length);
  const f = d?.failures[0];
  const pf = d?.podFailure;
  if (f) return { category: f.category, fixPath: f.fix.path, text: `${f.message} ${f.fix.text}` };
  if (pf) return { category: pf.category, fixPath: pf.fix.path, text: `${pf.message} ${pf.fix.text}` };
  const w = d?.waiting?.[0];
  return { category: w?.category, text: w?.message ?? "" };
}

async function runVerify(row: StateRow): Promise<{ verdict: Verdict; progress: string[] }> {
  const { pods } = serve(h.sim, row);
  const steps = [...(row.steps ?? [])];
  const progress: string[] = [];
  const verdict = await verifyRollout({
    kubeconfig: h.kubeconfig,
    workload: { kind: row.kind ?? "Deployment", namespace: NAMESPACE, name: WORKLOAD },
    stableForSeconds: GRACE,
    graces,
    timeoutSeconds: row.timeout ?? 10,
    ...(row.expectedGeneration !== undefined ? { expectedGeneration: row.expectedGeneration } : {}),
    onProgress: (p) => {
      progress.push(p.waitingFor);
      const due = steps.filter((s) => new RegExp(s.when).test(p.waitingFor));
      for (const step of due) {
        steps.splice(steps.indexOf(step), 1);
        applyStep(h.sim, row, pods, step);
      }
    },
  });
  return { verdict, progress };
}

describe("verify on every rollout state", () => {
  test.each(rows.map((r) => [r.state, r] as const))("%s", async (_state, row) => {
    const want = row.expect.verify;
    const { verdict: v, progress } = await runVerify(row);
    expect(v).toMatchObject({ ...(want.verdict ? { verdict: want.verdict } : {}), ...(want.reason ? { reason: want.reason } : {}) });
    const cause = firstCause(v.pods);
    if (want.category) expect(cause.category).toBe(want.category);
    if (want.fixPath) expect(cause.fixPath).toBe(want.fixPath);
    if (want.message) expect(`${v.message} ${cause.text}`).toMatch(new RegExp(want.message));
    if (want.cause) expect(v.cause).toMatch(new RegExp(want.cause));
    if (want.progress) expect(progress.join("\n")).toMatch(new RegExp(want.progress));
    if (want.bound === "cause") expect(v.reason).not.toBe("timeout");
    if (want.bound === "grace") expect(v.elapsedSeconds).toBeGreaterThanOrEqual(GRACE);
    if (want.bound === "timeout") expect(v.reason).toBe("timeout");
    if (want.atLeast !== undefined) expect(v.elapsedSeconds).toBeGreaterThanOrEqual(want.atLeast);
  });
});

describe("diagnose on every rollout state's snapshot", () => {
  const dir = mkdtempSync(join(tmpdir(), "crashguard-states-"));

  test.each(rows.map((r, i) => [r.state, r, i] as const))("%s", async (_state, row, i) => {
    const want = row.expect.diagnose;
    const { pods, events } = serve(h.sim, row);
    const file = join(dir, `state-${i}.json`);
    writeFileSync(file, JSON.stringify(dump(pods, events)));
    const argv = ["-f", file, "--now", row.now ?? DEFAULT_NOW, ...(row.since ? ["--since", row.since] : [])];
    const json = fakeIO();
    const text = fakeIO();
    const exit = await diagnose([...argv, "-o", "json"], json);
    // Text and JSON must agree on the exit code.
    expect(await diagnose(argv, text)).toBe(exit);
    expect(json.err).toBe("");
    expect(exit).toBe(want.exit);
    const result = JSON.parse(json.out) as { pods: PodDiagnosis[]; controllers?: { message: string; fix: { path: string } }[] };
    const cause = firstCause(result.pods);
    const controller = result.controllers?.[0];
    if (want.category) expect(cause.category ?? (controller ? "replica-failure" : undefined)).toBe(want.category);
    if (want.fixPath) expect(cause.fixPath ?? controller?.fix.path).toBe(want.fixPath);
    if (want.message) expect(`${cause.text} ${controller?.message ?? ""}`).toMatch(new RegExp(want.message));
    if (want.waiting)
      expect(
        result.pods
          .flatMap((p) => p.waiting ?? [])
          .map((w) => w.message)
          .join("\n"),
      ).toMatch(new RegExp(want.waiting));
  });
});
