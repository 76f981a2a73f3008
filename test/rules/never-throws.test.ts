import fc from "fast-check";
import { RULES, checkObject, podTemplates } from "../../policies/rules";
import { ruleFixtures } from "../support/fixtures";

const TYPE_TOKENS = [
  undefined,
  "kubernetes:apps/v1:Deployment",
  "kubernetes:apps/v1:DeploymentPatch",
  "kubernetes:batch/v1:CronJob",
  "kubernetes:core/v1:Pod",
  "kubernetes:apps/v1:StatefulSetList",
  "kubernetes:core/v1:Service",
  "not a token",
];

/** Replace the value at a random path of a real manifest with arbitrary JSON: malformed in realistic places. */
function mutate(obj: unknown, pathChoice: number[], replacement: unknown): unknown {
  if (pathChoice.length === 0 || obj === null || typeof obj !== "object") return replacement;
  const keys = Object.keys(obj as object);
  if (keys.length === 0) return replacement;
  const key = keys[pathChoice[0] % keys.length];
  const copy: Record<string, unknown> = Array.isArray(obj) ? ([...obj] as never) : { ...(obj as object) };
  copy[key] = mutate((obj as Record<string, unknown>)[key], pathChoice.slice(1), replacement);
  return copy;
}

/** checkObject has a last-resort catch; a rule that needed it has a bug, so the properties reject it. */
const noInternalError = (findings: Array<{ message: string }>) => findings.every((f) => !f.message.startsWith("crashguard could not read"));

describe("the rule core never throws", () => {
  const bases = ruleFixtures().flatMap((f) => f.objects);

  it("on arbitrary JSON, under every type token (property)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(...TYPE_TOKENS), (value, typeToken) => {
        return noInternalError(checkObject(value, { typeToken }));
      }),
      { numRuns: 1000 },
    );
  });

  it("on arbitrary values, including prototype-named keys (property)", () => {
    const hostileKeys = fc.constantFrom(
      "__proto__",
      "constructor",
      "toString",
      "containers",
      "spec",
      "template",
      "resources",
      "kind",
      "items",
    );
    const hostile = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        fc.anything(),
        fc.dictionary(hostileKeys, tie("value")),
        fc.array(tie("value"), { maxLength: 3 }),
      ),
    })).value;
    fc.assert(
      fc.property(hostile, fc.constantFrom("Deployment", "CronJob", "Pod", "List"), (value, kind) => {
        const obj = value !== null && typeof value === "object" && !Array.isArray(value) ? { ...value, kind } : { kind, spec: value };
        return noInternalError(checkObject(obj));
      }),
      { numRuns: 1000 },
    );
  });

  it("on real manifests with any field replaced by arbitrary JSON, and every finding is well-formed (property)", () => {
    const ids = new Set(RULES.map((r) => r.id));
    fc.assert(
      fc.property(
        fc.constantFrom(...bases),
        fc.array(fc.nat(), { minLength: 1, maxLength: 9 }),
        fc.jsonValue(),
        (base, path, replacement) => {
          const findings = checkObject(mutate(base, path, replacement));
          return (
            noInternalError(findings) &&
            findings.every((f) => ids.has(f.rule) && typeof f.message === "string" && f.message.length > 0 && typeof f.path === "string")
          );
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("reads a container list that carries an own `constructor` key as the list it is (copying such a list calls that key)", () => {
    const containers: unknown[] = [{ name: "app", image: "app:1.0" }];
    Object.defineProperty(containers, "constructor", { value: "not a constructor", enumerable: true });
    const findings = checkObject({ kind: "Deployment", metadata: { name: "web" }, spec: { template: { spec: { containers } } } });
    expect(noInternalError(findings)).toBe(true);
    expect(findings.map((f) => f.rule)).toContain("resources-required");
    expect(findings.find((f) => f.rule === "resources-required")?.container).toBe("app");
  });

  it("reads a deep List without recursing forever", () => {
    let list: unknown = { kind: "Deployment", metadata: { name: "deep" } };
    for (let i = 0; i < 5000; i++) list = { kind: "List", items: [list] };
    expect(() => podTemplates(list)).not.toThrow();
  });
});
