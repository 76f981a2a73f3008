import fc from "fast-check";
import { checkObject } from "../../policies/rules";
import { type WorkloadArgs, type WorkloadVolume, workloadManifest } from "../../components/workload";
import { argumentProblems } from "../../components/workload-check";

const dnsLabel = fc.stringMatching(/^[a-z]([a-z0-9-]{0,12}[a-z0-9])?$/);
const httpPath = fc.stringMatching(/^\/[a-z0-9-]{0,20}$/);
const millicores = fc.integer({ min: 1, max: 8000 });
const mebibytes = fc.integer({ min: 1, max: 65536 });

/** Requests, and optionally limits at or above them, in the units people write. */
const resources = fc
  .record({
    cpu: millicores,
    cpuLimitExtra: fc.option(millicores, { nil: undefined }),
    memory: mebibytes,
    memoryLimitExtra: fc.option(mebibytes, { nil: undefined }),
    giB: fc.boolean(),
  })
  .map(({ cpu, cpuLimitExtra, memory, memoryLimitExtra, giB }) => ({
    cpuRequest: cpu % 1000 === 0 ? String(cpu / 1000) : `${cpu}m`,
    cpuLimit: cpuLimitExtra === undefined ? undefined : `${cpu + cpuLimitExtra}m`,
    memoryRequest: giB ? `${Math.ceil(memory / 1024)}Gi` : `${memory}Mi`,
    memoryLimit: memoryLimitExtra === undefined ? undefined : `${(giB ? Math.ceil(memory / 1024) * 1024 : memory) + memoryLimitExtra}Mi`,
  }));

/** Timings where the timeout stays below the period. */
const timings = fc.integer({ min: 2, max: 60 }).chain((periodSeconds) =>
  fc.record(
    {
      periodSeconds: fc.constant(periodSeconds),
      timeoutSeconds: fc.integer({ min: 1, max: periodSeconds - 1 }),
      failureThreshold: fc.integer({ min: 1, max: 10 }),
      initialDelaySeconds: fc.integer({ min: 0, max: 120 }),
    },
    { requiredKeys: ["periodSeconds", "timeoutSeconds"] },
  ),
);

const validArgs: fc.Arbitrary<WorkloadArgs> = fc
  .record({
    image: fc.constant("ghcr.io/acme/app:1.0.0"),
    namespace: fc.option(dnsLabel, { nil: undefined }),
    kind: fc.constantFrom("Deployment" as const, "StatefulSet" as const),
    replicas: fc.integer({ min: 0, max: 50 }),
    port: fc.integer({ min: 1, max: 65535 }),
    portName: fc.stringMatching(/^[a-z]([a-z0-9-]{0,12}[a-z0-9])?$/),
    paths: fc.uniqueArray(httpPath, { minLength: 2, maxLength: 2 }),
    resources: fc.option(resources, { nil: undefined }),
    startupSeconds: fc.option(fc.integer({ min: 1, max: 900 }), { nil: undefined }),
    probeTimings: fc.option(fc.record({ readinessProbe: timings, livenessProbe: timings, startupProbe: timings }, { requiredKeys: [] }), {
      nil: undefined,
    }),
    initContainers: fc.array(
      dnsLabel.map((name) => ({ name, image: "busybox:1.36" })),
      { maxLength: 2 },
    ),
    features: features(),
  })
  .map(({ paths: [readinessPath, livenessPath], kind, replicas, features: { autoscaling, volumeClaims, ...more }, ...args }) => ({
    ...args,
    kind,
    readinessPath,
    livenessPath,
    ...more,
    // The two pairs Workload refuses as contradictions: an autoscaler owns the pod count; claims are per StatefulSet pod.
    ...(autoscaling ? { autoscaling } : { replicas }),
    ...(kind === "StatefulSet" && volumeClaims ? { volumeClaims } : {}),
  }));

/** The arguments for real applications, each present or not. */
function features(): fc.Arbitrary<Partial<WorkloadArgs>> {
  const volumeSource = fc.constantFrom<Partial<WorkloadVolume>>(
    { configMap: { name: "config" } },
    { secret: { secretName: "tls" } },
    { emptyDir: {} },
    { persistentVolumeClaim: { claimName: "data" } },
    { csi: { driver: "secrets-store.csi.k8s.io", readOnly: true } },
  );
  const volumes = fc
    .uniqueArray(fc.tuple(dnsLabel, volumeSource, fc.boolean()), { selector: ([name]) => name, maxLength: 3 })
    .map((vs) =>
      vs.filter(([name]) => name !== "tmp").map(([name, source, readOnly], i) => ({ name, ...source, mountPath: `/mnt/v${i}`, readOnly })),
    );
  const sidecar = fc.record({ name: dnsLabel, port: fc.integer({ min: 1, max: 65535 }) }).map(({ name, port }) => ({
    name: `sc-${name}`,
    image: "ghcr.io/acme/proxy:1.0.0",
    ports: [{ name: "admin", containerPort: port }],
    livenessProbe: { httpGet: { path: "/alive", port: "admin" }, periodSeconds: 10, timeoutSeconds: 3 },
  }));
  const autoscaling = fc.integer({ min: 1, max: 10 }).chain((min) =>
    fc.record({
      min: fc.constant(min),
      max: fc.integer({ min, max: 50 }),
      cpuUtilization: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
      memoryUtilization: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
    }),
  );
  const shutdown = fc.integer({ min: 0, max: 60 }).chain((sleep) =>
    fc.record({
      preStopSleepSeconds: fc.constant(sleep),
      terminationGracePeriodSeconds: fc.option(fc.integer({ min: sleep + 1, max: sleep + 300 }), { nil: undefined }),
    }),
  );
  return fc
    .record(
      {
        volumes,
        volumeClaims: fc.constant([{ name: "data", mountPath: "/var/lib/data", storage: "10Gi" }]),
        configEnv: fc.dictionary(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,10}$/), fc.record({ configMapName: dnsLabel, key: dnsLabel })),
        envFrom: fc.constant([{ configMapRef: { name: "app-config" } }]),
        sidecars: fc.uniqueArray(sidecar, { selector: (c) => c.name, maxLength: 2 }),
        extraPorts: fc.constant([{ name: "metrics", containerPort: 9090 }]),
        autoscaling,
        shutdown,
        workloadIdentity: fc.record({ clientId: fc.uuid() }),
        tolerations: fc.constant([{ key: "pool", operator: "Exists", effect: "NoSchedule" }]),
        minReadySeconds: fc.integer({ min: 0, max: 60 }),
        container: fc.constant({ workingDir: "/srv" }),
        podSpec: fc.constant({ enableServiceLinks: false }),
      },
      { requiredKeys: [] },
    )
    .map(({ shutdown, ...f }) => ({ ...f, ...shutdown }) as Partial<WorkloadArgs>);
}

/** A liveness probe without a startup probe must allow the rule core's 30 s to start. */
function startsSafely(args: WorkloadArgs): boolean {
  if (args.startupSeconds !== undefined) return true;
  const t = { initialDelaySeconds: 0, periodSeconds: 10, failureThreshold: 3, ...args.probeTimings?.livenessProbe };
  return t.initialDelaySeconds + t.failureThreshold * t.periodSeconds >= 30;
}

describe("Workload spec (property)", () => {
  it("passes every rule of the rule core, advisory ones included, for any valid args", () => {
    fc.assert(
      fc.property(validArgs, (args) => {
        fc.pre(startsSafely(args));
        expect(argumentProblems(args)).toEqual([]);
        const manifest = workloadManifest("app", args);
        expect(checkObject(manifest, { typeToken: `kubernetes:apps/v1:${args.kind}` })).toEqual([]);
      }),
      { numRuns: 300, seed: 13 },
    );
  });
});
