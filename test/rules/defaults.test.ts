/** Each rule's published configSchema states the defaults the rule itself applies, and the runner honours them. */
import { RULES, checkObject } from "../../policies/rules";

describe("rule defaults", () => {
  it.each(RULES.map((r) => [r.id, r] as const))("%s: every configSchema default is the rule's own default", (_id, rule) => {
    const published = Object.entries(rule.configSchema.properties).filter(
      ([, schema]) => (schema as { default?: unknown }).default !== undefined,
    );
    expect(published.length).toBeGreaterThan(0);
    for (const [key, schema] of published)
      expect({ key, value: (schema as { default: unknown }).default }).toEqual({
        key,
        value: (rule.defaults as Record<string, unknown>)[key],
      });
  });

  it("skips workloads in the default excluded namespace, and only there", () => {
    const pod = (namespace: string) => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p", namespace },
      spec: { containers: [{ name: "c", image: "a:1" }] },
    });
    expect(checkObject(pod("kube-system"))).toEqual([]);
    expect(checkObject(pod("shop")).map((f) => f.rule)).toContain("resources-required");
  });
});
