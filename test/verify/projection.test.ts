/**
 * The verifier keeps only a projection of each pod and event (verify/projection.ts). Whatever it
 * drops must be something the diagnosis never reads: for every pod of the rollout-state table, of
 * the diagnosis fixtures and of the kubectl dumps — and for hostile mutants of them — the
 * diagnosis of the slim pod with the slim events it keeps equals the full pod's, field by field.
 */
import fc from "fast-check";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Event, Pod } from "kubernetes-types/core/v1";
import { parse } from "yaml";
import { type DiagnoseOptions, diagnosePod, eventMatters } from "../../verify/diagnosis";
import { slimEvent, slimPod } from "../../verify/projection";
import { renderPod } from "../../verify/report";
import { mutantsOf } from "../hostile/mutants";
import { FIXTURES } from "../support/fixtures";
import { K8sSim } from "../support/k8s-sim";
import { DEFAULT_NOW, loadStateTable, serve } from "./state-table";

interface Case {
  name: string;
  pod: Pod;
  events: Event[];
  options: DiagnoseOptions;
}

const SECRET = "s3cr3t-kept-out-of-the-mirror";

function slimCase(c: Case): { pod: Pod; events: Event[] } {
  return { pod: slimPod(c.pod), events: c.events.filter(eventMatters).map(slimEvent) };
}

function expectSameDiagnosis(c: Case): void {
  const slim = slimCase(c);
  const full = diagnosePod(c.pod, c.events, c.options);
  expect(diagnosePod(slim.pod, slim.events, c.options)).toEqual(full);
}

let sim: K8sSim;
beforeAll(async () => {
  sim = await K8sSim.start();
});
afterAll(() => sim.stop());

/** Every pod of every rollout-state row, with its events, judged as `diagnose` judges the row's snapshot. */
function stateCases(): Case[] {
  return loadStateTable().flatMap((row) => {
    const { pods, events } = serve(sim, row);
    const now = Date.parse(row.now ?? DEFAULT_NOW);
    const sinceSeconds = row.since ? Number.parseInt(row.since, 10) * 3600 : undefined;
    return pods.map((pod, i) => ({
      name: `${row.state} — pod ${i}`,
      pod: pod as Pod,
      events: events as unknown as Event[],
      options: { now, ...(sinceSeconds !== undefined ? { sinceSeconds } : {}) },
    }));
  });
}

function fixtureCases(): Case[] {
  const rows = parse(fs.readFileSync(path.join(FIXTURES, "diagnosis", "failing-pods.yaml"), "utf8")) as {
    name: string;
    pod: Pod;
    events: Event[];
  }[];
  const dump = (file: string) => (JSON.parse(fs.readFileSync(path.join(FIXTURES, "pods", file), "utf8")) as { items: unknown[] }).items;
  const events = dump("failing-events.json") as Event[];
  const now = Date.parse("2026-11-25T04:00:00Z");
  return [
    ...rows.map((r) => ({ name: `diagnosis fixture: ${r.name}`, pod: r.pod, events: r.events ?? [], options: {} })),
    ...[...dump("failing-pods.json"), ...dump("healthy-pods.json")].map((pod, i) => ({
      name: `kubectl dump pod ${i}`,
      pod: pod as Pod,
      events,
      options: { now },
    })),
  ];
}

/** The fixtures with the fields only some fixes quote: an envFrom reference, an entrypoint. */
function variantCases(): Case[] {
  const fixture = (name: string) => structuredClone(fixtureCases().find((c) => c.name === `diagnosis fixture: ${name}`)!);
  const envFrom = fixture("missing Secret");
  envFrom.pod.spec!.containers[0].env = undefined;
  envFrom.pod.spec!.containers[0].envFrom = [{ configMapRef: { name: "settings" } }, { secretRef: { name: "db-creds" } }];
  return [
    { ...envFrom, name: "missing Secret named by envFrom" },
    ...["entrypoint not found (127)", "entrypoint not executable (126)"].map((name) => {
      const c = fixture(name);
      c.pod.spec!.containers[0].command = ["/app/server", "--listen=:8080"];
      return { ...c, name: `${name} with a command` };
    }),
  ];
}

describe("a slim pod is diagnosed as the full pod", () => {
  test("the rollout-state table: every row's pods, failing or not", () => {
    const cases = stateCases();
    expect(cases.filter((c) => diagnosePod(c.pod, c.events, c.options).failures.length > 0).length).toBeGreaterThan(10);
    for (const c of cases) expectSameDiagnosis(c);
  });

  test.each([...fixtureCases(), ...variantCases()].map((c) => [c.name, c] as const))("%s", (_name, c) => {
    expectSameDiagnosis(c);
    const slim = slimCase(c);
    expect(renderPod(diagnosePod(slim.pod, slim.events, c.options))).toBe(renderPod(diagnosePod(c.pod, c.events, c.options)));
  });

  test("hostile mutants of those pods and events", () => {
    const cases = [...stateCases(), ...fixtureCases(), ...variantCases()];
    const podMutant = mutantsOf(cases.map((c) => c.pod));
    const eventMutants = fc.array(mutantsOf(cases.flatMap((c) => c.events)), { maxLength: 4 });
    fc.assert(
      fc.property(fc.constantFrom(...cases), podMutant, eventMutants, (c, pod, extra) => {
        expectSameDiagnosis({ ...c, pod: pod as Pod, events: [...c.events, ...(extra as Event[])] });
      }),
      { seed: 16, numRuns: 1500 },
    );
  });
});

describe("what the mirror keeps of a pod", () => {
  const pod: Pod = {
    metadata: {
      name: "api-1",
      namespace: "shop",
      annotations: { "kubectl.kubernetes.io/last-applied-configuration": SECRET },
      managedFields: [{ manager: "kubectl" }],
    },
    spec: {
      containers: [
        {
          name: "api",
          command: ["/app/server", `--db-password=${SECRET}`],
          env: [
            { name: "PLAIN", value: SECRET },
            { name: "FROM_SECRET", valueFrom: { secretKeyRef: { name: "db", key: "password" } } },
          ],
          livenessProbe: { httpGet: { path: "/healthz", port: 8080, httpHeaders: [{ name: "Authorization", value: `Bearer ${SECRET}` }] } },
          readinessProbe: { exec: { command: ["check", SECRET] } },
        },
      ],
    },
  };

  test("no env value, later argument, probe header, exec command or annotation", () => {
    const slim = slimPod(pod);
    expect(JSON.stringify(slim)).not.toContain(SECRET);
    expect(slim.metadata).toEqual({ name: "api-1", namespace: "shop" });
  });

  test("env entries keep their places, so a fix's index still names the same entry", () => {
    expect(slimPod(pod).spec?.containers[0].env).toEqual([{}, { valueFrom: { secretKeyRef: { name: "db", key: "password" } } }]);
  });

  test("Normal events no one reads are not kept", () => {
    const event = (type: string, reason: string): Event => ({
      metadata: { name: reason },
      involvedObject: { kind: "Pod", name: "api-1" },
      type,
      reason,
    });
    expect(eventMatters(event("Normal", "Pulled"))).toBe(false);
    expect(eventMatters(event("Normal", "Killing"))).toBe(true);
    expect(eventMatters(event("Warning", "Anything"))).toBe(true);
  });
});
