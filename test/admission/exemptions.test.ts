import { RE2JS } from "@bufbuild/re2";
import { checkObject, exemptionPattern, podTemplates, RULE_IDS, RULES, type RuleId } from "../../policies/rules";
import { parseExemptions } from "../../policies/rules/exemptions";

const deployment = (exempt: string) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "worker", annotations: { "crashguard.dev/exempt": exempt } },
  spec: { template: { spec: { containers: [{ name: "w", image: "w:1" }] } } },
});

const exempted = (exempt: string) => [...parseExemptions(podTemplates(deployment(exempt))[0], RULE_IDS).rules];
const problems = (exempt: string) =>
  checkObject(deployment(exempt))
    .filter((f) => f.rule === "exemption-valid")
    .map((f) => f.message);

describe("the exemption grammar, one RE2 pattern per rule", () => {
  it("compiles with RE2, the regex engine of Kubernetes CEL", () => {
    for (const rule of RULES) expect(() => RE2JS.compile(exemptionPattern(rule.id as RuleId))).not.toThrow();
  });

  it.each([
    ["liveness-probe-required: queue worker", ["liveness-probe-required"]],
    [
      "readiness-probe-required, liveness-probe-required : no port; restarted by its supervisor",
      ["readiness-probe-required", "liveness-probe-required"],
    ],
    ["liveness-probe-required: no port;probe-sanity:\tlegacy", ["liveness-probe-required", "probe-sanity"]],
    [
      "*: vendor chart, reviewed",
      [
        "resources-required",
        "resource-values-valid",
        "readiness-probe-required",
        "liveness-probe-required",
        "probe-sanity",
        "image-pinned",
      ],
    ],
    ["liveness-probe-required: ; probe-sanity: legacy port", ["probe-sanity"]],
    ["liveness-probe-required:   ", []],
    ["xliveness-probe-required: prefix is another id", []],
  ])("%j exempts %j", (annotation, rules) => {
    expect(exempted(annotation)).toEqual(rules);
  });

  it("reports a clause whose reason starts with a ';' as giving no reason", () => {
    expect(problems("liveness-probe-required: ; probe-sanity: legacy port")).toEqual([
      expect.stringContaining('"liveness-probe-required" gives no reason'),
    ]);
  });

  it("reports text that is no clause at all", () => {
    expect(problems("queue worker: no probes")).toEqual([expect.stringContaining("cannot be read")]);
  });
});
