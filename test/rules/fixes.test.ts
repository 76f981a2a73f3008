/**
 * A fix is only worth printing if applying it passes: the `resources:` block resources-required
 * suggests, pasted over the container's, must satisfy both resource rules — whatever the container
 * held before (plain mistakes like "512MB", zeros, negatives, limits below requests, limits only).
 */
import fc from "fast-check";
import { parse } from "yaml";
import { checkObject } from "../../policies/rules";

function deployment(resources: unknown) {
  return {
    apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "api", namespace: "shop" },
    spec: { template: { spec: { containers: [{ name: "api", image: "ghcr.io/acme/api:1.4.2", ...(resources === undefined ? {} : { resources }) }] } } },
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
    expect(applyResourcesFix({ requests: { cpu: "100m", memory: "2Gi" } })).toEqual({ requests: { cpu: "100m", memory: "2Gi" }, limits: { memory: "2Gi" } });
  });

  it("resource-values-valid offers the same correction its message names", () => {
    const [f] = checkObject(deployment({ requests: { cpu: "250m", memory: "1.5GB" }, limits: { memory: "2Gi" } }), { rules: ["resource-values-valid"] });
    expect(f.message).toContain('write "1.5Gi"');
    expect(f.fix).toBe("requests:\n  memory: 1.5Gi");
  });

  it("always passes both resource rules once applied (property)", () => {
    const quantity = fc.constantFrom("100m", "250m", "1", "2", "0", "-1", "64Mi", "128Mi", "1Gi", "2Gi", "512MB", "1.5.5", "", "abc", 3);
    const group = fc.dictionary(fc.constantFrom("cpu", "memory"), quantity, { maxKeys: 2 });
    const config = fc.record({ requireCpuLimit: fc.boolean(), requireMemoryLimit: fc.boolean(), requireCpuRequest: fc.boolean() });
    fc.assert(
      fc.property(fc.option(fc.record({ requests: group, limits: group }, { requiredKeys: [] }), { nil: undefined }), config, (resources, cfg) => {
        const fixed = applyResourcesFix(resources, cfg);
        if (fixed === undefined) return true; // nothing was missing
        const after = checkObject(deployment(fixed), { rules: RESOURCE_RULES, config: { "resources-required": cfg } });
        return after.length === 0;
      }),
      { numRuns: 2000 },
    );
  });
});

describe("the probe fixes", () => {
  const withContainer = (c: Record<string, unknown>) => ({ ...deployment(undefined), spec: { template: { spec: { containers: [{ name: "api", image: "ghcr.io/acme/api:1.4.2", ...c }] } } } });

  /** What the probe rules still say after pasting every probe fix they suggested into the container. */
  function afterProbeFixes(container: Record<string, unknown>): string[] {
    let fixed = { ...container };
    for (const f of checkObject(withContainer(fixed), { rules: ["readiness-probe-required", "liveness-probe-required"] })) {
      const patch = parse(f.fix!) as Record<string, unknown>;
      fixed = { ...fixed, ...patch, ...(fixed.ports ? { ports: fixed.ports } : {}) }; // a second `ports:` adds nothing new
    }
    return checkObject(withContainer(fixed), { rules: ["readiness-probe-required", "liveness-probe-required", "probe-sanity"] }).map((f) => `${f.rule}: ${f.message}`);
  }

  it("pass once applied (property): declared or not, named or numbered port, readiness on /healthz or not", () => {
    const ports = fc.constantFrom(undefined, [{ containerPort: 8080 }], [{ name: "web", containerPort: 80 }]);
    const readiness = fc.constantFrom(undefined, "/ready", "/healthz");
    fc.assert(
      fc.property(ports, readiness, (declared, readinessPath) => {
        const port = declared ? ("name" in declared[0] ? declared[0].name : declared[0].containerPort) : undefined;
        const container: Record<string, unknown> = declared ? { ports: declared } : {};
        if (readinessPath && port !== undefined) container.readinessProbe = { httpGet: { path: readinessPath, port }, periodSeconds: 10, timeoutSeconds: 3 };
        expect(afterProbeFixes(container)).toEqual([]);
      }),
    );
  });

  it("probes the socket for liveness when the readiness check is already /healthz", () => {
    const c = { ports: [{ name: "web", containerPort: 80 }], readinessProbe: { httpGet: { path: "/healthz", port: "web" } } };
    const [live] = checkObject(withContainer(c), { rules: ["liveness-probe-required"] });
    expect(parse(live.fix!)).toEqual({ livenessProbe: { tcpSocket: { port: "web" }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 } });
  });
});
