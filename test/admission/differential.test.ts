/**
 * The rule core and the generated ValidatingAdmissionPolicies must agree: on every fixture and on a
 * seeded corpus of fuzzed workloads, after the decode and defaulting the API server applies, each
 * policy lists exactly the containers the rule core reports, in the same order. No allow-list: an
 * object the API server would reject before admission must be one the rule core blocks too.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { parseAllDocuments } from "yaml";
import type { ValidatingAdmissionPolicy } from "kubernetes-types/admissionregistration/v1";
import type { ConfigMap } from "kubernetes-types/core/v1";
import { CEL_RULES, type Configs, RULES, type RuleId, checkObject, podTemplates } from "../../policies/rules";
import { ADMITTED_KINDS, admissionPolicies } from "../../admission";
import { admitAll } from "../support/admission-eval";
import { decode } from "../support/api-decode";
import { FIXTURES, ruleCases } from "../support/fixtures";

const CEL_RULE_IDS = RULES.map((r) => r.id).filter((id) => CEL_RULES[id]);

const generatedByConfig = new Map<string, ReturnType<typeof generate>>();
function generated(configs: Configs) {
  const key = JSON.stringify(configs);
  return generatedByConfig.get(key) ?? generatedByConfig.set(key, generate(configs)).get(key)!;
}

function generate(configs: Configs) {
  const objects = admissionPolicies({ configs, checkControllerOwned: true });
  const params = objects.find((o): o is ConfigMap => o.kind === "ConfigMap") ?? null;
  const byRule = new Map(
    objects
      .filter((o): o is ValidatingAdmissionPolicy => o.kind === "ValidatingAdmissionPolicy")
      .map((p) => [p.metadata!.name!.replace(/^crashguard-/, ""), p]),
  );
  return { params, policies: CEL_RULE_IDS.map((rule) => byRule.get(rule)!) };
}

/** The containers the rule core reports for `rule`, each once, in its order. */
function coreOffending(object: unknown, rule: RuleId, configs: Configs): string[] {
  return [...new Set(checkObject(object, { config: configs, rules: [rule] }).map((f) => f.container ?? "<pod>"))];
}

/** An object the API server refuses before admission: the rule core must block it as well (exemptions and exclusions aside, which cannot waive a malformed spec in a cluster). */
function coreBlocksUnreadable(object: unknown): boolean {
  const readers = RULES.filter((r) => r.id === "spec-readable" || r.id === "resource-values-valid");
  return podTemplates(object).some((t) => readers.some((r) => r.check(t, {} as never).length > 0));
}

let compared = 0;
function expectAgreement(manifest: unknown, configs: Configs, label: string): void {
  const decoded = decode(manifest);
  if (!decoded.ok) {
    expect({ label, reason: decoded.reason, blocked: coreBlocksUnreadable(manifest) }).toEqual({
      label,
      reason: decoded.reason,
      blocked: true,
    });
    return;
  }
  const { params, policies } = generated(configs);
  const admissions = admitAll(policies, decoded.object, params);
  CEL_RULE_IDS.forEach((rule, i) => {
    const admission = admissions[i];
    const expected = coreOffending(decoded.object, rule, configs);
    expect({ label, rule, offending: admission.offending }).toEqual({ label, rule, offending: expected });
    expect(admission.allowed).toBe(expected.length === 0);
    compared++;
  });
}

function fixtureObjects(): Array<{ label: string; object: unknown }> {
  const out: Array<{ label: string; object: unknown }> = [];
  for (const dir of ["scenarios", "real"]) {
    for (const file of fs.readdirSync(path.join(FIXTURES, dir)).sort()) {
      const text = fs.readFileSync(path.join(FIXTURES, dir, file), "utf8");
      const docs = file.endsWith(".json") ? [JSON.parse(text)] : file.endsWith(".yaml") ? parseAllDocuments(text).map((d) => d.toJS()) : [];
      // The API server admits objects one by one, never a List.
      const items = docs.flatMap((d) => (Array.isArray(d?.items) ? d.items : [d]));
      items.forEach((object: { kind?: unknown }, i: number) => {
        // Policies match workloads only; a Service in a List never meets them.
        if (ADMITTED_KINDS.some((k) => k.kind === object?.kind)) out.push({ label: `${dir}/${file}#${i}`, object });
      });
    }
  }
  for (const c of ruleCases()) c.objects.forEach((object, i) => out.push({ label: `${c.file}#${i}`, object }));
  return out;
}

const STRICT: Configs = {
  "resources-required": { requireCpuLimit: true, excludeNamespaces: [] },
  "resource-values-valid": {
    maxMemoryLimitToRequestRatio: 2,
    maxCpuLimitToRequestRatio: 4,
    minCpuRequest: "100m",
    minMemoryRequest: "64Mi",
    maxCpuLimit: "2",
    maxMemoryLimit: "1Gi",
  },
  "readiness-probe-required": { includeSidecars: false },
};

describe("generated admission policies agree with the rule core", () => {
  const fixtures = fixtureObjects();

  it.each([
    ["default config", {}],
    ["strict config", STRICT],
  ] as Array<[string, Configs]>)("on every fixture (%s)", (_name, configs) => {
    expect(fixtures.length).toBeGreaterThan(20);
    for (const { label, object } of fixtures) expectAgreement(object, configs, label);
  });

  it("on 2,000 fuzzed workloads: quantities, annotations, init, sidecar and ephemeral containers", () => {
    const before = compared;
    fc.assert(
      fc.property(workload(), config(), (manifest, configs) => {
        expectAgreement(manifest, configs, JSON.stringify(manifest));
      }),
      { seed: 15, numRuns: 2000 },
    );
    // Most fuzzed workloads must reach the policies, or the corpus proves little.
    expect(compared - before).toBeGreaterThan(2000 * CEL_RULE_IDS.length * 0.6);
  }, 120_000); // a 2-core machine running every suite at once makes this several times slower than alone
});

const KINDS = ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"] as const;

const quantity = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(
        fc.constantFrom("", "+", "-"),
        fc.nat(4096),
        fc.option(fc.stringMatching(/^[0-9]{0,4}$/), { nil: undefined }),
        fc.constantFrom("", "m", "k", "M", "G", "Ki", "Mi", "Gi", "Ti", "n", "u", "e3", "E-2", "e+1"),
      )
      .map(
        ([sign, whole, fraction, suffix]) =>
          `${sign === "-" && whole % 7 !== 0 ? "" : sign}${whole}${fraction === undefined ? "" : `.${fraction}`}${suffix}`,
      ),
  },
  { weight: 3, arbitrary: fc.constantFrom("0", "0.5", "500m", "1Gi", "1024Mi", "1073741824", "2", "100m", "64Mi", "1e3", ".5", "1.") },
  { weight: 2, arbitrary: fc.integer({ min: -1, max: 4096 }) },
  // Invalid quantities: the API server rejects them at decoding, before any admission policy.
  { weight: 1, arbitrary: fc.constantFrom(null, "512MB", "1.5.5", "abc", "", "1Gb") },
);

const resourceList = fc.dictionary(fc.constantFrom("cpu", "memory", "ephemeral-storage", "nvidia.com/gpu"), quantity, { maxKeys: 3 });
// Valid quantities only (zero and negative included): invalid ones are already covered per container,
// and would make most pods with pod-level resources rejected before admission.
const podResourceList = fc.dictionary(
  fc.constantFrom("cpu", "memory"),
  fc.constantFrom("0", "-1", "500m", "1", "2", "64Mi", "1Gi", "2Gi"),
  { maxKeys: 2 },
);
const probe = fc.constantFrom(undefined, null, { httpGet: { path: "/", port: 8080 } }, { exec: { command: ["true"] } });

function container(name: string, sidecar: boolean) {
  return fc
    .record({
      resources: fc.option(fc.record({ requests: resourceList, limits: resourceList }, { requiredKeys: [] }), { nil: undefined }),
      readinessProbe: probe,
      livenessProbe: probe,
      restartPolicy: fc.constant(sidecar ? "Always" : undefined),
    })
    .map((c) => ({ name, image: "app:1", ...Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) }));
}

const ruleIds = fc.constantFrom(...RULES.map((r) => r.id), "*", "no-latest-tag", "Liveness-Probe-Required");
const clause = fc
  .tuple(
    fc.array(ruleIds, { minLength: 1, maxLength: 3 }),
    fc.constantFrom(",", ", ", " ,"),
    fc.constantFrom(":", " : ", ":\t"),
    fc.constantFrom("", " ", "queue worker", "; not a reason", "no port; restarted by supervisor", "\tbatch"),
  )
  .map(([ids, comma, colon, reason]) => `${ids.join(comma)}${colon}${reason}`);
const exemption = fc
  .array(clause, { minLength: 1, maxLength: 3 })
  .chain((clauses) => fc.constantFrom(";", "; ", " ;\n").map((sep) => clauses.join(sep)));
const annotations = fc.option(
  fc.record({ "crashguard.dev/exempt": exemption, team: fc.constant("shop") }, { requiredKeys: ["crashguard.dev/exempt"] }),
  { nil: undefined },
);

function workload() {
  return fc
    .record({
      kind: fc.constantFrom(...KINDS),
      namespace: fc.constantFrom(undefined, "default", "kube-system", "shop"),
      ownerAnnotations: annotations,
      templateAnnotations: annotations,
      restartPolicy: fc.constantFrom(undefined, "Always", "OnFailure", "Never"),
      containers: fc
        .integer({ min: 1, max: 3 })
        .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => container(`app-${i}`, false)))),
      initContainers: fc
        .array(fc.boolean(), { maxLength: 3 })
        .chain((kinds) => fc.tuple(...kinds.map((sidecar, i) => container(`init-${i}`, sidecar)))),
      ephemeral: fc.boolean(),
      // Pod-level resources (PodLevelResources): cover the containers' needs, or break the rules themselves.
      podResources: fc.option(fc.record({ requests: podResourceList, limits: podResourceList }, { requiredKeys: [] }), {
        nil: undefined,
        freq: 3,
      }),
    })
    .map((w) => {
      const spec: Record<string, unknown> = { containers: w.containers };
      if (w.podResources) spec.resources = w.podResources;
      if (w.initContainers.length) spec.initContainers = w.initContainers;
      if (w.restartPolicy) spec.restartPolicy = w.restartPolicy;
      // Ephemeral containers carry neither resources nor probes (the API server forbids them); the rules ignore them, and so must the policies.
      if (w.ephemeral && w.kind === "Pod") spec.ephemeralContainers = [{ name: "debug", image: "busybox", targetContainerName: "app-0" }];
      const template = {
        metadata: { labels: { app: "a" }, ...(w.templateAnnotations ? { annotations: w.templateAnnotations } : {}) },
        spec,
      };
      const workloadSpec =
        w.kind === "Pod" ? spec : w.kind === "CronJob" ? { schedule: "* * * * *", jobTemplate: { spec: { template } } } : { template };
      return {
        apiVersion: w.kind === "Pod" ? "v1" : w.kind === "Job" || w.kind === "CronJob" ? "batch/v1" : "apps/v1",
        kind: w.kind,
        metadata: {
          name: "w",
          ...(w.namespace ? { namespace: w.namespace } : {}),
          ...(w.ownerAnnotations ? { annotations: w.ownerAnnotations } : {}),
        },
        spec: workloadSpec,
      };
    });
}

function config(): fc.Arbitrary<Configs> {
  const bound = fc.option(fc.constantFrom("100m", "1", "64Mi", "1Gi", "2"), { nil: undefined });
  const ratio = fc.option(fc.constantFrom(1, 1.5, 2, 4), { nil: undefined });
  return fc
    .record({
      "resources-required": fc.record({
        requireCpuRequest: fc.boolean(),
        requireCpuLimit: fc.boolean(),
        excludeNamespaces: fc.constantFrom(undefined, [], ["shop"]),
      }),
      "resource-values-valid": fc.record({
        maxMemoryLimitToRequestRatio: ratio,
        maxCpuLimitToRequestRatio: ratio,
        minCpuRequest: bound,
        minMemoryRequest: bound,
        maxCpuLimit: bound,
        maxMemoryLimit: bound,
      }),
      "readiness-probe-required": fc.record({ includeSidecars: fc.boolean() }),
      "liveness-probe-required": fc.record({ includeSidecars: fc.boolean() }),
    })
    .map((c) => JSON.parse(JSON.stringify(c)) as Configs);
}
