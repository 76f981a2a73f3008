/**
 * A fix is only worth printing if applying it passes: the `resources:` block resources-required
 * suggests, pasted over the container's, must satisfy both resource rules — whatever the container
 * held before (plain mistakes like "512MB", zeros, negatives, limits below requests, limits only).
 */
import fc from "fast-check";
import { parse } from "yaml";
import { checkObject } from "../../policies/rules";
import { fillMissingResources } from "../../policies/remediate";

function deployment(resources: unknown) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "api", namespace: "shop" },
    spec: {
      template: {
        spec: { containers: [{ name: "api", image: "ghcr.io/acme/api:1.4.2", ...(resources === undefined ? {} : { resources }) }] },
      },
    },
  };
}

const RESOURCE_RULES = ["resources-required", "resource-values-valid"] as const;

/** The container's resources after pasting the resources-required fix, or undefined when there was none. */
function applyResourcesFix(resources: unknown, config = {}): unknown {
  const [f] = checkObject(deployment(resources), { rules: ["resources-required"], config: { "resources-required": config } });
  return f && (parse(f.fix!) as { resources: unknown }).resources;
}

describe("the resources fix", () => {
  it("corrects a plain mistake instead of repeating it", () => {
    const fixed = applyResourcesFix({ requests: { memory: "512MB" } });
    expect(fixed).toEqual({ requests: { memory: "512Mi", cpu: "250m" }, limits: { memory: "512Mi" } });
  });

  it("keeps a limit-only container's request out, as the API server copies the limit", () => {
    expect(applyResourcesFix({ limits: { memory: "128Mi" } })).toEqual({ requests: { cpu: "250m" }, limits: { memory: "128Mi" } });
  });

  it("never suggests a limit below the request that is set", () => {
    expect(applyResourcesFix({ requests: { cpu: "100m", memory: "2Gi" } })).toEqual({
      requests: { cpu: "100m", memory: "2Gi" },
      limits: { memory: "2Gi" },
    });
  });

  it("resource-values-valid offers the same correction its message names", () => {
    const [f] = checkObject(deployment({ requests: { cpu: "250m", memory: "1.5GB" }, limits: { memory: "2Gi" } }), {
      rules: ["resource-values-valid"],
    });
    expect(f.message).toContain('write "1.5Gi"');
    expect(f.fix).toBe("requests:\n  memory: 1.5Gi");
  });

  it("always passes both resource rules once applied (property)", () => {
    const quantity = fc.constantFrom("100m", "250m", "1", "2", "0", "-1", "64Mi", "128Mi", "1Gi", "2Gi", "512MB", "1.5.5", "", "abc", 3);
    const group = fc.dictionary(fc.constantFrom("cpu", "memory"), quantity, { maxKeys: 2 });
    const config = fc.record({ requireCpuLimit: fc.boolean(), requireMemoryLimit: fc.boolean(), requireCpuRequest: fc.boolean() });
    fc.assert(
      fc.property(
        fc.option(fc.record({ requests: group, limits: group }, { requiredKeys: [] }), { nil: undefined }),
        config,
        (resources, cfg) => {
          const fixed = applyResourcesFix(resources, cfg);
          if (fixed === undefined) return true; // nothing was missing
          const after = checkObject(deployment(fixed), { rules: RESOURCE_RULES, config: { "resources-required": cfg } });
          return after.length === 0;
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("the probe fixes", () => {
  const TOKEN = "s3cr3t-t0ken";
  const SECRET_COMMAND = ["/bin/check", `--token=${TOKEN}`];
  const SECRET_HEADER = `Bearer ${TOKEN}`;
  const PROBES = ["readinessProbe", "livenessProbe", "startupProbe"] as const;
  const PROBE_RULES = ["readiness-probe-required", "liveness-probe-required", "probe-sanity"] as const;
  const withContainer = (c: Record<string, unknown>) => ({
    ...deployment(undefined),
    spec: { template: { spec: { containers: [{ name: "api", image: "ghcr.io/acme/api:1.4.2", ...c }] } } },
  });
  const CONTAINER_PATH = "spec.template.spec.containers[0].";

  const portsArb = fc
    .uniqueArray(
      fc.record({
        name: fc.constantFrom(undefined, "http", "web", "grpc", "metrics"),
        containerPort: fc.constantFrom(80, 6379, 8080, 9090),
      }),
      { maxLength: 3, selector: (p) => p.containerPort },
    )
    .map((ports) =>
      ports
        .filter((p, i) => p.name === undefined || ports.findIndex((q) => q.name === p.name) === i)
        .map(({ name, containerPort }) => (name ? { name, containerPort } : { containerPort })),
    );
  const portRef = fc.constantFrom<string | number>(80, 6379, 8080, 7000, "http", "web", "nope");
  const handlerArb = fc.oneof(
    fc.record({
      httpGet: fc.record(
        {
          path: fc.constantFrom("/", "/healthz", "/ready"),
          port: portRef,
          httpHeaders: fc.constant([{ name: "Authorization", value: SECRET_HEADER }]),
        },
        { requiredKeys: ["path", "port"] },
      ),
    }),
    fc.record({ tcpSocket: fc.record({ port: portRef }) }),
    fc.record({ grpc: fc.record({ port: fc.constantFrom(6379, 9090, 7000) }) }),
    fc.constant({ exec: { command: SECRET_COMMAND } }),
    fc.constant({}),
  );
  const timingsArb = fc.record(
    {
      initialDelaySeconds: fc.integer({ min: 0, max: 60 }),
      periodSeconds: fc.integer({ min: 1, max: 20 }),
      timeoutSeconds: fc.integer({ min: 1, max: 20 }),
      failureThreshold: fc.integer({ min: 1, max: 10 }),
      successThreshold: fc.integer({ min: 1, max: 2 }),
    },
    { requiredKeys: [] },
  );
  const probeArb = fc.option(
    fc.tuple(handlerArb, timingsArb).map(([h, t]) => ({ ...h, ...t })),
    { nil: undefined },
  );
  const containerArb = fc
    .record({ ports: fc.option(portsArb, { nil: undefined }), readinessProbe: probeArb, livenessProbe: probeArb, startupProbe: probeArb })
    .map((c) => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) as Record<string, unknown>);

  /** The user's paste: the fix's fields over the container's, with their own command and header values where the fix shows [secret]. */
  function apply(container: Record<string, unknown>, fix: string): Record<string, unknown> {
    const restored = JSON.parse(JSON.stringify(parse(fix)), (key, v) =>
      v === "[secret]" ? (key === "command" ? SECRET_COMMAND : SECRET_HEADER) : v,
    );
    return { ...container, ...restored };
  }

  /** Leaf paths where two values differ. */
  function changedPaths(a: unknown, b: unknown, at = ""): string[] {
    const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object";
    if (!isObj(a) || !isObj(b) || Array.isArray(a) !== Array.isArray(b)) return JSON.stringify(a) === JSON.stringify(b) ? [] : [at];
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => changedPaths(a[k], b[k], at ? `${at}.${k}` : k));
  }

  /** What each kind of probe finding may change in the container, by the finding's path below the container. */
  function allowedChanges(rel: string, message: string): RegExp {
    const kind = rel.split(".")[0];
    if (!rel.includes(".")) {
      if (message.includes("has no handler")) return new RegExp(`^${kind}\\.(exec|httpGet|tcpSocket|grpc)(\\.|$)`);
      if (message.includes("can kill the container")) return /^startupProbe(\.|$)/;
      return new RegExp(`^${kind}(\\.|$)`); // a required probe, added whole
    }
    if (rel.endsWith(".timeoutSeconds")) return new RegExp(`^${kind}\\.periodSeconds$`);
    if (rel.endsWith(".successThreshold")) return new RegExp(`^${kind}\\.successThreshold$`);
    if (rel.endsWith(".port")) return /^ports(\.|$)/;
    return /^livenessProbe\.failureThreshold$/; // liveness repeating readiness
  }

  /**
   * A finding's identity. A note about a port is the same note whichever probe carries the copied
   * handler, and whatever other ports the message lists as declared.
   */
  const identity = (f: { rule: string; path: string; message: string }) =>
    f.path.endsWith(".port")
      ? `${f.rule} ${f.message
          .replace(/readinessProbe|livenessProbe|startupProbe/g, "<probe>")
          .replace(/ \(it has: [^)]*\)/, "")
          .replace(/: the .*$/, "")}`
      : `${f.rule} ${f.path}`;

  it("change only what their finding names, keep the container's own handler and never its secrets, and leave nothing new to report (property)", () => {
    let applied = 0;
    let decisions = 0;
    fc.assert(
      fc.property(containerArb, (container) => {
        const before = checkObject(withContainer(container), { rules: PROBE_RULES });
        const beforeIds = new Set(before.map(identity));
        for (const f of before) {
          expect(`${f.message}\n${f.fix ?? ""}`).not.toContain(TOKEN);
          if (!f.fix) continue;
          if (/^# (nothing to copy|decide)/.test(f.fix)) {
            decisions++;
            expect(JSON.stringify(parse(f.fix) ?? {})).not.toMatch(/"(port|path|containerPort|exec|httpGet|tcpSocket|grpc)"/);
            continue;
          }
          applied++;
          const after = apply(container, f.fix);
          const rel = f.path.slice(CONTAINER_PATH.length);
          const allowed = allowedChanges(rel, f.message);
          expect(changedPaths(container, after).filter((p) => !allowed.test(p))).toEqual([]);
          for (const kind of PROBES) {
            const handler = Object.keys((container[kind] ?? {}) as object).find((k) =>
              ["exec", "httpGet", "tcpSocket", "grpc"].includes(k),
            );
            if (handler)
              expect((after[kind] as Record<string, unknown>)[handler]).toEqual((container[kind] as Record<string, unknown>)[handler]);
          }
          const names = ((after.ports ?? []) as Array<{ name?: string }>).map((p) => p.name).filter(Boolean);
          expect(new Set(names).size).toBe(names.length);
          const afterIds = checkObject(withContainer(after), { rules: PROBE_RULES }).map(identity);
          expect(afterIds.filter((id) => !beforeIds.has(id))).toEqual([]);
          expect(afterIds).not.toContain(`${f.rule} ${f.path}`);
        }
      }),
      { numRuns: 150, seed: 19 },
    );
    // The generator reaches both kinds of fix.
    expect(applied).toBeGreaterThan(100);
    expect(decisions).toBeGreaterThan(10);
  });

  it("a liveness probe copies the readiness check but waits longer, rather than repeating it", () => {
    const c = {
      ports: [{ name: "web", containerPort: 80 }],
      readinessProbe: { httpGet: { path: "/healthz", port: "web" }, periodSeconds: 10, timeoutSeconds: 3 },
    };
    const [live] = checkObject(withContainer(c), { rules: ["liveness-probe-required"] });
    expect(parse(live.fix!)).toEqual({
      livenessProbe: { httpGet: { path: "/healthz", port: "web" }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 6 },
    });
  });

  it("a readiness probe for a container with a port and no probes checks the socket, guessing no HTTP path", () => {
    const [ready] = checkObject(withContainer({ ports: [{ containerPort: 6379 }] }), { rules: ["readiness-probe-required"] });
    expect(parse(ready.fix!)).toEqual({
      readinessProbe: { tcpSocket: { port: 6379 }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
    });
  });

  it("declaring an undeclared probe port never reuses a name the container has", () => {
    const ports = [
      { name: "http", containerPort: 80 },
      { name: "http-8080", containerPort: 81 },
    ];
    const [note] = checkObject(withContainer({ ports, readinessProbe: { httpGet: { path: "/ready", port: 8080 } } }), {
      rules: ["probe-sanity"],
    });
    expect(parse(note.fix!)).toEqual({ ports: [...ports, { name: "http-8080-2", containerPort: 8080 }] });
  });

  it("a probe on a port name nobody declares: the single unnamed port gets the name, otherwise the fix asks which port", () => {
    const probe = { readinessProbe: { httpGet: { path: "/ready", port: "http" } } };
    const [single] = checkObject(withContainer({ ...probe, ports: [{ containerPort: 8080, protocol: "TCP" }] }), {
      rules: ["probe-sanity"],
    });
    expect(parse(single.fix!)).toEqual({ ports: [{ containerPort: 8080, protocol: "TCP", name: "http" }] });
    const [several] = checkObject(
      withContainer({
        ...probe,
        ports: [
          { name: "web", containerPort: 80 },
          { name: "admin", containerPort: 9000 },
        ],
      }),
      { rules: ["probe-sanity"] },
    );
    expect(several.fix).toBe(
      "# decide which port the app answers on: point the probe at one of the declared names (web, admin), or declare it in ports as name: http with its containerPort",
    );
  });
});

describe("pod-level resources (spec.resources, KEP-2837)", () => {
  const pod = (podResources: unknown, containerResources?: unknown) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "shop" },
    spec: {
      resources: podResources,
      containers: [
        { name: "app", image: "app:1", ...(containerResources ? { resources: containerResources } : {}) },
        { name: "log", image: "log:1" },
      ],
    },
  });

  it("what the pod sets is neither reported missing nor filled in by remediation; what it leaves out still is", () => {
    const spec = pod({ limits: { memory: "1Gi" } });
    const findings = checkObject(spec, { rules: ["resources-required"] });
    // A pod-level memory limit is also its memory request; only cpu is left to each container.
    expect(findings.map((f) => f.path)).toEqual(["spec.containers[0].resources.requests.cpu", "spec.containers[1].resources.requests.cpu"]);
    expect(parse(findings[0].fix!)).toEqual({ resources: { requests: { cpu: "250m" } } });
    const remediated = fillMissingResources(spec, "kubernetes:core/v1:Pod", {}) as ReturnType<typeof pod>;
    expect(remediated.spec.containers.map((c) => c.resources)).toEqual([{ requests: { cpu: "250m" } }, { requests: { cpu: "250m" } }]);
  });

  it("a pod covering everything needs nothing from its containers, and remediation leaves it alone", () => {
    const spec = pod({ requests: { cpu: "500m" }, limits: { memory: "1Gi" } });
    expect(checkObject(spec, { rules: ["resources-required"] })).toEqual([]);
    expect(fillMissingResources(spec, "kubernetes:core/v1:Pod", {})).toBeUndefined();
  });

  it("a zero at pod level covers nothing, as a zero on a container does not", () => {
    expect(
      checkObject(pod({ requests: { cpu: "0", memory: "0" }, limits: { memory: "0" } }), { rules: ["resources-required"] }),
    ).toHaveLength(2);
  });
});
