import { checkObject } from "../../policies/rules";
import { ruleFixtures } from "../support/fixtures";

const key = (f: { rule: string; path: string }) => `${f.rule} ${f.path}`;

describe("rule core on the fixture manifests", () => {
  const fixtures = ruleFixtures();

  it("has the cases the rules are specified by", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(15);
    expect(fixtures.filter((f) => f.expected.length === 0).length).toBeGreaterThanOrEqual(4);
  });

  it.each(fixtures.map((f) => [f.file, f] as const))("%s", (_file, fixture) => {
    const findings = fixture.objects.flatMap((o) => checkObject(o));
    expect(findings.map(key).sort()).toEqual(fixture.expected.map(key).sort());
    for (const f of findings) {
      expect(f.message.length).toBeGreaterThan(20);
      expect(f.resource).toMatch(/^[A-Za-z]+ /);
    }
  });
});

describe("what a finding tells the user", () => {
  const byFile = new Map(ruleFixtures().map((f) => [f.file, f.objects[0]]));

  it("names the container and offers the default resources block with what is set kept", () => {
    const [f] = checkObject(byFile.get("pod-missing-memory-limit.yaml"));
    expect(f.container).toBe("memory-demo-ctr");
    expect(f.resource).toBe("Pod mem-example/memory-demo");
    expect(f.message).toContain("memory limit");
    expect(f.fix).toBe(["resources:", "  requests:", "    memory: 100Mi", "    cpu: 100m", "  limits:", "    memory: 256Mi"].join("\n"));
  });

  it("explains a B suffix as the mistake it is", () => {
    const f = checkObject(byFile.get("bad-quantities.yaml")).find((x) => x.path.endsWith("requests.memory"))!;
    expect(f.message).toContain('"512MB" is not a Kubernetes quantity');
    expect(f.message).toContain('write "512Mi"');
  });

  it("quotes both values when a limit is below its request", () => {
    const [f] = checkObject(byFile.get("limit-below-request.yaml"));
    expect(f.message).toContain("memory limit 512Mi is below its request 1Gi");
    expect(f.fix).toBe("limits:\n  memory: 1Gi");
  });

  it("suggests a startupProbe when liveness can kill a slow starter, with the seconds it allows", () => {
    const f = checkObject(byFile.get("liveness-kills-slow-start.yaml")).find((x) => x.path.endsWith("livenessProbe"))!;
    expect(f.message).toContain("6s after it starts");
    expect(f.fix).toContain("startupProbe:");
    expect(f.fix).toContain("failureThreshold: 30");
  });

  it("where nothing can be inferred the readiness fix says what to decide, and invents no port or path", () => {
    const f = checkObject(byFile.get("runbook-no-resources.yaml")).find((x) => x.rule === "readiness-probe-required")!;
    expect(f.fix).toMatch(/^# nothing to copy: .*Decide how to tell it is ready to serve/);
    expect(f.fix).not.toMatch(/containerPort|port:|path:/);
    const named = checkObject({
      kind: "Deployment",
      metadata: { name: "n" },
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: "a",
                ports: [{ name: "web", containerPort: 80 }],
                resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "1Gi" } },
              },
            ],
          },
        },
      },
    }).find((x) => x.rule === "readiness-probe-required")!;
    expect(named.fix).toBe("readinessProbe:\n  tcpSocket:\n    port: web\n  periodSeconds: 10\n  timeoutSeconds: 3\n  failureThreshold: 3");
  });
});
