/**
 * The pack runs the rule core once per resource and each policy reports its own rule's findings
 * (policies/index.ts). These tests call the policies' validators in-process, as @pulumi/policy does,
 * and hold what that sharing must not change: each policy reports its rule's findings and no other
 * rule's, and a rule that throws is reported by its own policy.
 */
import type { ResourceValidationArgs } from "@pulumi/policy";
import { RULES, type Rule } from "../../policies/rules";
import { ruleFixtures } from "../support/fixtures";

// The pack module serves itself when loaded; here only its policies are wanted.
jest.mock("@pulumi/policy", () => ({ ...jest.requireActual("@pulumi/policy"), PolicyPack: class {} }));
import { policies } from "../../policies/index";

const fixture = (file: string) => ruleFixtures().find((f) => f.file === file)!.objects[0] as Record<string, unknown>;

/** What each policy reports for one resource, by policy name, each policy called with its own args as the SDK does. */
function reports(props: Record<string, unknown>, type: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const p of policies) {
    const args = { type, name: "app", urn: `urn:pulumi:test::app::${type}::app`, props, getConfig: () => ({}) };
    const messages: string[] = [];
    (p.validateResource as (a: ResourceValidationArgs, report: (m: string) => void) => void)(
      args as unknown as ResourceValidationArgs,
      (m) => messages.push(m),
    );
    if (messages.length > 0) out[p.name] = messages;
  }
  return out;
}

describe("each policy reports its own rule's share of one judgement", () => {
  it("reports every finding under the rule that made it", () => {
    const found = reports(fixture("runbook-no-resources.yaml"), "kubernetes:apps/v1:Deployment");
    expect(Object.keys(found).sort()).toEqual([
      "image-pinned",
      "liveness-probe-required",
      "readiness-probe-required",
      "resources-required",
    ]);
    expect(found["resources-required"].join("\n")).toContain("no cpu request");
    expect(found["liveness-probe-required"].join("\n")).toContain("has no livenessProbe");
  });

  it("reports a rule that throws under that rule's policy, not spec-readable's", () => {
    const probes = RULES.find((r) => r.id === "liveness-probe-required") as Rule & { check: unknown };
    const check = probes.check;
    probes.check = () => {
      throw new Error("a bug in the rule");
    };
    try {
      const found = reports(fixture("runbook-no-resources.yaml"), "kubernetes:apps/v1:Deployment");
      expect(found["liveness-probe-required"]).toEqual([expect.stringContaining("crashguard could not read")]);
      expect(found["liveness-probe-required"][0]).toContain("a bug in the rule");
      expect(found["spec-readable"]).toBeUndefined();
      expect(found["resources-required"].join("\n")).toContain("no cpu request"); // the other rules still report
    } finally {
      probes.check = check;
    }
  });
});
