import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../cli/lint";
import { FIXTURES } from "../support/fixtures";
import { fakeIO } from "../support/io";

const REAL = path.join(FIXTURES, "real");

async function lint(file: string, extra: string[] = []): Promise<{ code: number; verdict: string[] }> {
  const io = fakeIO();
  const code = await main([path.join(REAL, file), "--output", "json", ...extra], io);
  const report = JSON.parse(io.out);
  const verdict = report.findings.map((f: { resource: string; container?: string; rule: string; level: string }) => `${f.resource} [${f.container}] ${f.rule}:${f.level}`);
  return { code, verdict: [...new Set<string>(verdict)].sort() };
}

/** The verdicts SOURCES.md documents, file by file. */
describe("real manifests, judged as their own projects document them", () => {
  it("the docs' nginx Deployment: no resources, no probes", async () => {
    expect(await lint("k8s-docs-deployment.yaml")).toEqual({ code: 1, verdict: [
      "Deployment nginx-deployment [nginx] liveness-probe-required:advisory",
      "Deployment nginx-deployment [nginx] readiness-probe-required:mandatory",
      "Deployment nginx-deployment [nginx] resources-required:mandatory",
    ] });
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
    expect(io.out).toContain("probes port 8080, which the container does not declare");
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

  it.each([["k8s-docs-job.yaml", "Job pi [pi]"], ["k8s-docs-cronjob.yaml", "CronJob hello [hello]"]])("%s: resources only, no probes for run-to-completion work", async (file, who) => {
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
