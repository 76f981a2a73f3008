import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../cli/lint";
import { parse } from "yaml";
import { fakeIO } from "../support/io";
import { REAL, findingsOf, pinnedPath, realManifests } from "../support/real-corpus";

async function lint(file: string, extra: string[] = []): Promise<{ code: number; verdict: string[] }> {
  const io = fakeIO();
  const code = await main([path.join(REAL, file), "--output", "json", ...extra], io);
  const report = JSON.parse(io.out);
  const verdict = report.findings.map(
    (f: { resource: string; container?: string; rule: string; level: string }) => `${f.resource} [${f.container}] ${f.rule}:${f.level}`,
  );
  return { code, verdict: [...new Set<string>(verdict)].sort() };
}

/** The verdicts SOURCES.md documents, file by file. */
describe("real manifests, judged as their own projects document them", () => {
  it("the docs' nginx Deployment: no resources, no probes", async () => {
    expect(await lint("k8s-docs-deployment.yaml")).toEqual({
      code: 1,
      verdict: [
        "Deployment nginx-deployment [nginx] liveness-probe-required:advisory",
        "Deployment nginx-deployment [nginx] readiness-probe-required:mandatory",
        "Deployment nginx-deployment [nginx] resources-required:mandatory",
      ],
    });
  });

  it("the docs' exec liveness Pod: the liveness probe that restarts it on purpose is flagged", async () => {
    const { verdict } = await lint("k8s-docs-exec-liveness.yaml");
    expect(verdict).toContain("Pod liveness-exec [liveness] probe-sanity:advisory");
    expect(verdict).toContain("Pod liveness-exec [liveness] resources-required:mandatory");
    const io = fakeIO();
    await main([path.join(REAL, "k8s-docs-exec-liveness.yaml")], io);
    expect(io.out).toContain("livenessProbe can kill the container 20s after it starts");
  });

  it("the docs' HTTP liveness Pod: early kill and an undeclared port", async () => {
    const io = fakeIO();
    await main([path.join(REAL, "k8s-docs-http-liveness.yaml")], io);
    expect(io.out).toContain("12s after it starts");
    expect(io.out).toContain("probes port 8080, which the container does not list in ports; the kubelet probes it anyway");
  });

  it("the docs' memory demo: memory set, cpu request missing", async () => {
    const io = fakeIO();
    await main([path.join(REAL, "k8s-docs-memory-request-limit.yaml"), "--output", "json"], io);
    const resources = JSON.parse(io.out).findings.filter((f: { rule: string }) => f.rule === "resources-required");
    expect(resources.map((f: { path: string }) => f.path)).toEqual(["spec.containers[0].resources.requests.cpu"]);
  });

  it("the docs' init-container Pod: every init container needs resources, none needs probes", async () => {
    const { verdict } = await lint("k8s-docs-init-containers.yaml");
    expect(verdict).toEqual([
      "Pod myapp-pod [init-mydb] resources-required:mandatory",
      "Pod myapp-pod [init-myservice] resources-required:mandatory",
      "Pod myapp-pod [myapp-container] liveness-probe-required:advisory",
      "Pod myapp-pod [myapp-container] readiness-probe-required:mandatory",
      "Pod myapp-pod [myapp-container] resources-required:mandatory",
    ]);
  });

  it.each([
    ["k8s-docs-job.yaml", "Job pi [pi]"],
    ["k8s-docs-cronjob.yaml", "CronJob hello [hello]"],
  ])("%s: resources only, no probes for run-to-completion work", async (file, who) => {
    expect((await lint(file)).verdict).toEqual([`${who} resources-required:mandatory`]);
  });

  it("the helm create chart: resources {} and identical liveness/readiness (kube-score: CRITICAL)", async () => {
    expect((await lint("helm-create-default-render.yaml")).verdict).toEqual([
      "Deployment release-name-myapp [myapp] probe-sanity:advisory",
      "Deployment release-name-myapp [myapp] resources-required:mandatory",
      "Pod release-name-myapp-test-connection [wget] image-pinned:advisory",
      "Pod release-name-myapp-test-connection [wget] resources-required:mandatory",
    ]);
  });

  it("CoreDNS from a kubectl List dump: skipped in kube-system, undeclared probe ports once included", async () => {
    expect(await lint("kubectl-list-coredns.json")).toEqual({ code: 0, verdict: [] });
    const config = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "crashguard-test-")), "policy.json");
    fs.writeFileSync(config, JSON.stringify({ "probe-sanity": { excludeNamespaces: [] } }));
    const io = fakeIO();
    expect(await main([path.join(REAL, "kubectl-list-coredns.json"), "--policy-pack-config", config, "--output", "json"], io)).toBe(0);
    expect(JSON.parse(io.out).findings.map((f: { path: string; line: number }) => `${f.path} @${f.line}`)).toEqual([
      "items[0].spec.template.spec.containers[0].readinessProbe.httpGet.port @40",
      "items[0].spec.template.spec.containers[0].livenessProbe.httpGet.port @26",
    ]);
  });
});

describe("real manifests: every finding, message and fix pinned", () => {
  it.each(realManifests())("%s matches its pinned findings", (file) => {
    expect(fs.existsSync(pinnedPath(file))).toBe(true);
    expect(findingsOf(file)).toEqual(parse(fs.readFileSync(pinnedPath(file), "utf8")) ?? []);
  });
});

describe("real manifests: fixes that keep what the container already does", () => {
  const fixes = (file: string, rule: string) =>
    (findingsOf(file) as Array<{ rule: string; fix?: string }>).filter((f) => f.rule === rule).map((f) => f.fix ?? "");

  it("Redis (microservices-demo): the twin-probe fix keeps its tcpSocket on 6379 and only lets liveness wait longer", () => {
    const [fix] = fixes("microservices-demo-redis.yaml", "probe-sanity").filter((f) => f.startsWith("livenessProbe"));
    expect(parse(fix)).toEqual({ livenessProbe: { tcpSocket: { port: 6379 }, periodSeconds: 5, failureThreshold: 6 } });
  });

  it("a load generator with no port and no probe: the fix says what to decide, no port or path invented", () => {
    for (const fix of [
      ...fixes("microservices-demo-loadgenerator.yaml", "readiness-probe-required"),
      ...fixes("microservices-demo-loadgenerator.yaml", "liveness-probe-required"),
    ]) {
      expect(fix).toMatch(/^# nothing to copy: .*Decide/);
      const yaml = fix
        .split("\n")
        .filter((l) => !l.startsWith("#"))
        .join("\n");
      expect(yaml).not.toMatch(/port|path|httpGet|tcpSocket|exec/i);
    }
  });

  it("Cassandra (kubernetes/examples): liveness copies its own exec readiness check, the command hidden, never httpGet on the gossip port", () => {
    const [fix] = fixes("kubernetes-examples-cassandra-statefulset.yaml", "liveness-probe-required");
    expect(fix).toMatch(/^# \[secret\] stands for the exec command/);
    expect(parse(fix).livenessProbe.exec).toEqual({ command: "[secret]" });
    expect(fix).not.toMatch(/httpGet|7000|ready-probe/);
  });

  it("ingress-nginx: the same handler with a more patient liveness is not reported as identical", () => {
    const messages = (findingsOf("ingress-nginx-controller-deployment.yaml") as Array<{ message: string }>).map((f) => f.message);
    expect(messages.join("\n")).not.toMatch(/same httpGet check/);
  });

  it("an undeclared numbered port is a note whose fix keeps every declared port and adds no name already taken", () => {
    const [fix] = fixes("ingress-nginx-controller-deployment.yaml", "probe-sanity");
    const names = (parse(fix).ports as Array<{ name: string }>).map((p) => p.name);
    expect(names).toEqual(["http", "https", "webhook", "http-10254"]);
  });
});
