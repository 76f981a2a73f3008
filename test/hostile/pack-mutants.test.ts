/**
 * Seeded mutants through the real policy pack over gRPC, as the Pulumi CLI runs it: every answer
 * comes from a rule (never an SDK error for a throwing validator), names a known policy, and
 * carries no secret and no crash text. Hostile configurations go to the pack too.
 */
import * as fc from "fast-check";
import { RULES } from "../../policies/rules";
import { asPulumiResource, usePolicyPack } from "../support/pack";
import { SECRET, mutant } from "./mutants";

const pack = usePolicyPack();
const POLICIES = new Set<string>(RULES.map((r) => r.id));
const CRASH = /is not a function|Cannot read prop|is not iterable|Maximum call stack|threw an exception|TypeError|RangeError/;

/** Pulumi resources from mutants; the type token comes from the mutant's own kind when it has a sane one. */
function resource(obj: unknown, i: number) {
  const o = obj !== null && typeof obj === "object" && !Array.isArray(obj) ? (obj as Record<string, unknown>) : { value: obj };
  const kind = typeof o.kind === "string" && /^[A-Za-z]+$/.test(o.kind) ? o.kind : "Deployment";
  const apiVersion = typeof o.apiVersion === "string" && /^[a-z0-9./]+$/.test(o.apiVersion) ? o.apiVersion : "apps/v1";
  return asPulumiResource({ ...o, kind, apiVersion }, `mutant-${i}`);
}

test("1,500 mutants in stacks of 50 over gRPC: only rule findings, no secret, no crash text", async () => {
  await pack().configure({});
  await fc.assert(
    fc.asyncProperty(fc.array(mutant, { minLength: 50, maxLength: 50 }), async (objs) => {
      const diagnostics = await pack().analyzeStack(objs.map(resource));
      return diagnostics.every((d) => POLICIES.has(d.policyName) && !CRASH.test(d.message) && !d.message.includes(SECRET));
    }),
    { seed: 1717, numRuns: 30 },
  );
});

test("hostile configurations reach the rules without breaking them", async () => {
  const bad = resource(
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "shop" },
      spec: { template: { spec: { containers: [{ name: "api", image: "nginx" }] } } },
    },
    0,
  );
  for (const options of [
    { excludeNamespaces: "workshop" },
    { excludeNamespaces: 5 },
    { excludeNamespaces: null },
    { minStartupSeconds: -5 },
    { defaults: { memoryLimit: "512MB" } },
  ]) {
    await pack().configure({
      "resources-required": { enforcementLevel: "mandatory", ...options },
      "probe-sanity": { enforcementLevel: "advisory", ...options },
    });
    const diagnostics = await pack().analyze(bad);
    // A string never exempts the namespaces it contains: shop is still checked.
    expect(diagnostics.map((d) => d.policyName)).toContain("resources-required");
    for (const d of diagnostics) expect(d.message).not.toMatch(CRASH);
  }
});
