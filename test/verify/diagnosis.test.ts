/** diagnosePod on real-shaped pods and events, kstatus style: a table of objects and what a user must be told. */
import fc from "fast-check";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import type { Event, Pod } from "kubernetes-types/core/v1";
import { main as diagnoseCli } from "../../cli/diagnose";
import { diagnosePod, isHealthy } from "../../verify/diagnosis";
import { renderPod } from "../../verify/report";
import { FIXTURES } from "../support/fixtures";
import { fakeIO } from "../support/io";

const SECRET = "hunter2-DO-NOT-PRINT";

function pod(status: Pod["status"], spec: Partial<NonNullable<Pod["spec"]>> = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: "api-7d9c-x2x",
      namespace: "shop",
      uid: "u1",
      ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "api-7d9c", uid: "r1" }],
    },
    spec: {
      containers: [
        {
          name: "api",
          image: "registry.example.com/api:1.2.3",
          env: [{ name: "DB_PASSWORD", value: SECRET }],
          resources: { limits: { memory: "128Mi" } },
          livenessProbe: { httpGet: { path: "/healthz", port: 8080 }, timeoutSeconds: 1 },
        },
      ],
      ...spec,
    },
    status,
  };
}
const running = { running: { startedAt: "2026-11-25T10:00:00Z" } };
const status = (s: object) => ({ name: "api", image: "registry.example.com/api:1.2.3", imageID: "", ready: false, restartCount: 0, ...s });
const event = (reason: string, message: string, type = "Warning"): Event => ({
  metadata: { name: `api-7d9c-x2x.${reason}`, namespace: "shop" },
  involvedObject: { kind: "Pod", name: "api-7d9c-x2x", namespace: "shop", uid: "u1" },
  reason,
  message,
  type,
  count: 3,
  lastTimestamp: "2026-11-25T10:00:06Z",
});

/** What a user must be told about one failing pod; `fix` is a regular expression the fix text matches. */
interface Want {
  category: string;
  reason: string;
  exitCode?: number;
  signal?: string;
  fixPath: string;
  fix: string;
}
interface Row {
  name: string;
  pod: Pod;
  events: Event[];
  want: Want;
}

const rows = parse(fs.readFileSync(path.join(FIXTURES, "diagnosis", "failing-pods.yaml"), "utf8")) as Row[];
const table = rows.map((row) => [row.name, row.pod, row.events, row.want] as const);

describe("diagnosePod", () => {
  it.each(table)("%s", (_name, p, events, want) => {
    const d = diagnosePod(p, events);
    expect(d.failures).toHaveLength(1);
    const [f] = d.failures;
    expect(f).toMatchObject({ category: want.category, reason: want.reason, fix: { path: want.fixPath } });
    expect(f.exitCode).toBe(want.exitCode);
    if (want.signal) expect(f.signal).toBe(want.signal);
    expect(f.fix.text).toMatch(new RegExp(want.fix));
    const text = renderPod(d);
    expect(text).not.toContain(SECRET);
    expect(JSON.stringify(d)).not.toContain(SECRET);
    expect(isHealthy(p)).toBe(false);
  });

  it("reports an unschedulable pod with the scheduler's reason once it lasted past the grace, and waits before", () => {
    const p = pod({
      phase: "Pending",
      conditions: [
        {
          type: "PodScheduled",
          status: "False",
          reason: "Unschedulable",
          message: "0/3 nodes are available: 3 Insufficient memory.",
          lastTransitionTime: "2026-11-25T10:00:00Z",
        },
      ],
    });
    const events = [event("FailedScheduling", "0/3 nodes are available: 3 Insufficient memory.")];
    const later = diagnosePod(p, events, { now: Date.parse("2026-11-25T10:01:00Z") });
    expect(later.podFailure).toMatchObject({
      category: "unschedulable",
      message: expect.stringContaining("Insufficient memory"),
      since: "2026-11-25T10:00:00.000Z",
    });
    expect(later.events.map((e) => e.reason)).toEqual(["FailedScheduling"]);
    const soon = diagnosePod(p, events, { now: Date.parse("2026-11-25T10:00:05Z") });
    expect(soon.podFailure).toBeUndefined();
    expect(soon.waiting).toEqual([
      { category: "unschedulable", message: expect.stringContaining("Insufficient memory"), remainingSeconds: 10 },
    ]);
  });

  it.each([
    [
      "Running and Ready",
      pod({
        phase: "Running",
        conditions: [{ type: "Ready", status: "True" }],
        containerStatuses: [status({ ready: true, state: running })],
      }),
      true,
    ],
    [
      "still creating",
      pod({ phase: "Pending", containerStatuses: [status({ state: { waiting: { reason: "ContainerCreating" } } })] }),
      false,
    ],
    ["initializing", pod({ phase: "Pending", containerStatuses: [status({ state: { waiting: { reason: "PodInitializing" } } })] }), false],
  ] as const)("does not call a %s pod failing", (_name, p, healthy) => {
    expect(diagnosePod(p, []).failures).toEqual([]);
    expect(isHealthy(p)).toBe(healthy);
  });

  it("never throws and never prints an env value, whatever the API returns (property)", () => {
    const secret = fc.string({ minLength: 12, maxLength: 30 }).map((s) => `S3CR3T-${s.replace(/\s/g, "x")}`);
    fc.assert(
      fc.property(
        secret,
        fc.jsonValue(),
        fc.jsonValue(),
        fc.array(fc.jsonValue(), { maxLength: 3 }),
        (value, statusJunk, specJunk, eventJunk) => {
          const p = pod(statusJunk as Pod["status"], {
            containers: [{ name: "api", image: "x", env: [{ name: "SECRET", value }] }],
            ...(typeof specJunk === "object" && specJunk && !Array.isArray(specJunk) ? specJunk : {}),
          });
          p.spec!.containers[0].env = [{ name: "SECRET", value }];
          const d = diagnosePod(p, eventJunk as unknown as Event[]);
          const out = renderPod(d) + JSON.stringify(d);
          return !out.includes(value);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("hostile API data", () => {
  async function exitCodes(items: unknown[]): Promise<[number, number, string]> {
    const stdin = JSON.stringify({ kind: "List", items });
    const text = fakeIO({ stdin });
    const json = fakeIO({ stdin });
    const codes: [number, number, string] = [
      await diagnoseCli(["-f", "-", "--now", "2026-11-25T10:30:00Z"], text),
      await diagnoseCli(["-f", "-", "-o", "json", "--now", "2026-11-25T10:30:00Z"], json),
      text.err + json.err,
    ];
    return codes;
  }

  it.each(["toString", "constructor", "__proto__", "hasOwnProperty", "valueOf"])(
    "a waiting reason %s is not a table key: no crash, same exit code in text and JSON",
    async (reason) => {
      const p = pod({ phase: "Pending", containerStatuses: [status({ state: { waiting: { reason, message: 7 } } })] });
      expect(() => diagnosePod(p, [])).not.toThrow();
      expect(diagnosePod(p, []).failures).toEqual([]);
      const [textCode, jsonCode, err] = await exitCodes([p]);
      expect(textCode).toBe(jsonCode);
      expect(err).toBe("");
    },
  );

  it("an Event whose message is a number, and containerStatuses as an object, are read defensively", async () => {
    const p = pod({ phase: "Running", containerStatuses: { api: status({}) } as never });
    const e = { ...event("BackOff", "x"), message: 42 } as unknown as Event;
    const d = diagnosePod(p, [e]);
    expect(d.events[0]).toMatchObject({ reason: "BackOff", message: "42" });
    expect(renderPod(d)).toContain("42");
    const [textCode, jsonCode, err] = await exitCodes([p, { ...e, kind: "Event" }]);
    expect(textCode).toBe(jsonCode);
    expect(err).toBe("");
  });

  it("never throws on prototype keys anywhere a reason, kind or name is read (property)", () => {
    const key = fc.constantFrom("toString", "constructor", "__proto__", "valueOf", "hasOwnProperty", "CrashLoopBackOff", "OOMKilled");
    const junk = fc.oneof(key, fc.integer(), fc.constant(null), fc.array(key, { maxLength: 2 }), fc.dictionary(key, key, { maxKeys: 2 }));
    fc.assert(
      fc.property(key, junk, junk, key, (reason, message, exitCode, phase) => {
        const p = pod({
          phase,
          reason,
          containerStatuses: [
            status({ restartCount: 1, state: { waiting: { reason, message } }, lastState: { terminated: { exitCode, reason, message } } }),
          ],
        } as never);
        const d = diagnosePod(
          p,
          [
            {
              ...event(reason, "m"),
              message,
              involvedObject: { kind: "Pod", name: "api-7d9c-x2x", fieldPath: message },
            } as unknown as Event,
          ],
          { now: 0 },
        );
        return typeof renderPod(d) === "string" && JSON.stringify(d).length > 0;
      }),
      { numRuns: 300, seed: 11 },
    );
  });
});
