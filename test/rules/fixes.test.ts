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
