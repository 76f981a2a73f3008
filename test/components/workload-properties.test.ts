import fc from "fast-check";
import { checkObject } from "../../policies/rules";
import { WorkloadArgs, workloadManifest } from "../../components/workload";

const dnsLabel = fc.stringMatching(/^[a-z]([a-z0-9-]{0,12}[a-z0-9])?$/);
const httpPath = fc.stringMatching(/^\/[a-z0-9-]{0,20}$/);
const millicores = fc.integer({ min: 1, max: 8000 });
const mebibytes = fc.integer({ min: 1, max: 65536 });

/** Requests, and optionally limits at or above them, in the units people write. */
const resources = fc.record({
  cpu: millicores, cpuLimitExtra: fc.option(millicores, { nil: undefined }),
  memory: mebibytes, memoryLimitExtra: fc.option(mebibytes, { nil: undefined }),
  giB: fc.boolean(),
}).map(({ cpu, cpuLimitExtra, memory, memoryLimitExtra, giB }) => ({
  cpuRequest: cpu % 1000 === 0 ? String(cpu / 1000) : `${cpu}m`,
  cpuLimit: cpuLimitExtra === undefined ? undefined : `${cpu + cpuLimitExtra}m`,
  memoryRequest: giB ? `${Math.ceil(memory / 1024)}Gi` : `${memory}Mi`,
  memoryLimit: memoryLimitExtra === undefined ? undefined : `${(giB ? Math.ceil(memory / 1024) * 1024 : memory) + memoryLimitExtra}Mi`,
}));

/** Timings where the timeout stays below the period. */
const timings = fc.integer({ min: 2, max: 60 }).chain((periodSeconds) => fc.record({
  periodSeconds: fc.constant(periodSeconds),
  timeoutSeconds: fc.integer({ min: 1, max: periodSeconds - 1 }),
  failureThreshold: fc.integer({ min: 1, max: 10 }),
  initialDelaySeconds: fc.integer({ min: 0, max: 120 }),
}, { requiredKeys: ["periodSeconds", "timeoutSeconds"] }));

const validArgs: fc.Arbitrary<WorkloadArgs> = fc.record({
  image: fc.constant("ghcr.io/acme/app:1.0.0"),
  namespace: fc.option(dnsLabel, { nil: undefined }),
  kind: fc.constantFrom("Deployment" as const, "StatefulSet" as const),
  replicas: fc.integer({ min: 0, max: 50 }),
  port: fc.integer({ min: 1, max: 65535 }),
  portName: fc.stringMatching(/^[a-z]([a-z0-9-]{0,12}[a-z0-9])?$/),
  paths: fc.uniqueArray(httpPath, { minLength: 2, maxLength: 2 }),
  resources: fc.option(resources, { nil: undefined }),
  startupSeconds: fc.option(fc.integer({ min: 1, max: 900 }), { nil: undefined }),
  probeTimings: fc.option(fc.record({ readinessProbe: timings, livenessProbe: timings, startupProbe: timings }, { requiredKeys: [] }), { nil: undefined }),
  initContainers: fc.array(dnsLabel.map((name) => ({ name, image: "busybox:1.36" })), { maxLength: 2 }),
}).map(({ paths: [readinessPath, livenessPath], ...args }) => ({ ...args, readinessPath, livenessPath }));

/** A liveness probe without a startup probe must allow the rule core's 30 s to start. */
function startsSafely(args: WorkloadArgs): boolean {
  if (args.startupSeconds !== undefined) return true;
  const t = { initialDelaySeconds: 0, periodSeconds: 10, failureThreshold: 3, ...args.probeTimings?.livenessProbe };
  return t.initialDelaySeconds + t.failureThreshold * t.periodSeconds >= 30;
}

describe("Workload spec (property)", () => {
  it("passes every rule of the rule core, advisory ones included, for any valid args", () => {
    fc.assert(fc.property(validArgs, (args) => {
      fc.pre(startsSafely(args));
      const manifest = workloadManifest("app", args);
      expect(checkObject(manifest, { typeToken: `kubernetes:apps/v1:${args.kind}` })).toEqual([]);
    }), { numRuns: 300 });
  });
});
