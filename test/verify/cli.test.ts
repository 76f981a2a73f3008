/** `crashguard verify` and `crashguard diagnose`: exit codes and output, in-process and spawned. */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { main as diagnose } from "../../cli/diagnose";
import { main as verify } from "../../cli/verify";
import { fakeIO as sharedFakeIO } from "../support/io";
import { SIM_TOKEN } from "../support/k8s-sim";
import { SECRET_ENV_VALUE, app, deployment, useSim } from "./sim-harness";

const h = useSim();
const fixtures = join(__dirname, "..", "fixtures", "pods");

/** The shared recorder, with colour off as in a pipe. */
function fakeIO(env: NodeJS.ProcessEnv = {}, stdin = "") {
  const io = sharedFakeIO({ env: { NO_COLOR: "1", ...env }, stdin });
  return {
    io,
    out: {
      get stdout() {
        return io.out;
      },
      get stderr() {
        return io.err;
      },
    },
  };
}

describe("crashguard verify", () => {
  test("exit 1 on a crash loop, diagnosis on stdout, progress on stderr, no secrets", async () => {
    h.cluster.deploy(deployment("checkout", [app({ kind: "crash", runFor: 1, exitCode: 1, logs: ["fatal: DATABASE_URL unreachable"] })]));
    const { io, out } = fakeIO({ KUBECONFIG: h.kubeconfig });
    expect(await verify(["deployment/checkout", "-n", "shop", "--timeout", "10s"], io)).toBe(1);
    expect(out.stdout).toMatch(/✗ Deployment shop\/checkout \(generation 1\): rollout failed/);
    // kubelet restarts a crashed container at once the first time (2 ms at this test's scale): the
    // diagnosis, completed with the pod as it is by then, may describe the first instance or its restart.
    expect(out.stdout).toMatch(/container api {2}Error {2}exit 1 {2}restarts=[01] {2}\[app-error\]/);
    expect(out.stdout).toContain("| fatal: DATABASE_URL unreachable");
    expect(out.stderr).toMatch(/0\/2 ready, 0 restarts/);
    expect(out.stdout + out.stderr).not.toContain(SECRET_ENV_VALUE);
    expect(out.stdout + out.stderr).not.toContain(SIM_TOKEN);
    expect(out.stdout).not.toContain("\x1b[");
  });

  test("exit 0 and stable JSON on a healthy rollout", async () => {
    h.cluster.deploy(deployment("web", [app({ kind: "healthy" })]));
    const { io, out } = fakeIO();
    expect(await verify(["deploy/web", "--kubeconfig", h.kubeconfig, "--stable-for", "300ms", "-o", "json"], io)).toBe(0);
    const v = JSON.parse(out.stdout);
    expect(Object.keys(v).sort()).toEqual(["desiredPods", "elapsedSeconds", "message", "pods", "readyPods", "verdict", "workload"]);
    expect(v).toMatchObject({ verdict: "succeeded", workload: { kind: "Deployment", namespace: "shop", name: "web", generation: 1 } });
  });

  test.each([
    [["deployment"], /not KIND\/NAME/],
    [["job/x"], /not KIND\/NAME/],
    [["deployment/x", "--timeout", "soon"], /--timeout "soon" is not a duration/],
    [["deployment/x", "-o", "yaml"], /--output must be text or json/],
    [["deployment/x", "--bogus"], /Unknown option '--bogus'/],
  ])("exit 2 on bad usage %j", async (argv, message) => {
    const { io, out } = fakeIO();
    expect(await verify(argv, io)).toBe(2);
    expect(out.stderr).toMatch(message);
  });

  test("exit 2 with the file named when the kubeconfig is unreadable", async () => {
    const { io, out } = fakeIO();
    expect(await verify(["deployment/x", "--kubeconfig", "/nonexistent/kubeconfig"], io)).toBe(2);
    expect(out.stderr).toBe('crashguard verify: cannot read kubeconfig "/nonexistent/kubeconfig": ENOENT\n');
  });

  test("exit 2 with the missing grant on 403", async () => {
    h.sim.faults.push({ verb: "list", resource: "deployments", status: 403 });
    const { io, out } = fakeIO({ KUBECONFIG: h.kubeconfig });
    expect(await verify(["deployment/web"], io)).toBe(2);
    expect(out.stderr).toBe(
      "crashguard verify: cannot list deployments in namespace shop: grant verbs list,watch on deployments (see verify/rbac.yaml)\n",
    );
  });

  test("spawned `node bin/crashguard.js verify` exits 1 on an OOM kill", async () => {
    h.cluster.deploy(
      deployment("reports", [
        app({ kind: "crash", runFor: 1, exitCode: 137, reason: "OOMKilled" }, { resources: { limits: { memory: "64Mi" } } }),
      ]),
    );
    const bin = join(__dirname, "..", "..", "bin", "crashguard.js");
    const result = await promisify(execFile)(process.execPath, [bin, "verify", "deployment/reports", "-n", "shop"], {
      env: { ...process.env, KUBECONFIG: h.kubeconfig, NO_COLOR: "1" },
    }).catch((e) => e);
    expect(result.code).toBe(1);
    // By the time a spawned process is watching, kubelet may already show the back-off.
    expect(result.stdout).toMatch(/(OOMKilled|CrashLoopBackOff) {2}exit 137 \(SIGKILL\) {2}restarts=\d {2}\[oom-killed\]/);
    expect(result.stdout).toContain("spec.template.spec.containers[0].resources.limits.memory");
  });
});

describe("crashguard diagnose", () => {
  test("explains every failing pod of a kubectl dump and exits 1", async () => {
    const { io, out } = fakeIO();
    expect(
      await diagnose(["-f", join(fixtures, "failing-pods.json"), "--events", join(fixtures, "failing-events.json"), "-o", "json"], io),
    ).toBe(1);
    const result = JSON.parse(out.stdout);
    const categories = result.pods.map((p: { pod: string; failures: { category: string }[]; podFailure?: { category: string } }) => [
      p.pod.split("-")[0],
      p.failures[0]?.category ?? p.podFailure?.category,
    ]);
    expect(Object.fromEntries(categories)).toEqual({
      checkout: "app-error",
      reports: "oom-killed",
      search: "liveness-probe",
      frontend: "image-pull",
      payments: "config-error",
      migrator: "app-error",
      bigmem: "unschedulable",
    });
    expect(result.failing).toBe(7);
    expect(out.stdout).not.toContain(SECRET_ENV_VALUE);
  });

  test("without events a liveness kill cannot be told apart from a signal", async () => {
    const { io, out } = fakeIO();
    await diagnose(["-f", join(fixtures, "failing-pods.json"), "-o", "json"], io);
    const search = JSON.parse(out.stdout).pods.find((p: { pod: string }) => p.pod.startsWith("search"));
    expect(search.failures[0]).toMatchObject({ category: "killed", exitCode: 143, signal: "SIGTERM" });
  });

  test("healthy dump from stdin exits 0", async () => {
    const { readFileSync } = await import("node:fs");
    const { io, out } = fakeIO({}, readFileSync(join(fixtures, "healthy-pods.json"), "utf8"));
    expect(await diagnose(["-f", "-"], io)).toBe(0);
    expect(out.stdout).toBe("0 of 2 pods failing, 2 without failures\n");
  });

  test("items that are not pods are named on stderr and skipped; the rest is diagnosed", async () => {
    const { readFileSync } = await import("node:fs");
    const dump = JSON.parse(readFileSync(join(fixtures, "failing-pods.json"), "utf8"));
    dump.items = [null, "x", { kind: "Service", metadata: { name: "web" } }, ...dump.items];
    const { io, out } = fakeIO({}, JSON.stringify(dump));
    expect(await diagnose(["-f", "-", "-o", "json"], io)).toBe(1);
    expect(out.stderr).toContain("standard input items[0] is not an object (null); skipped");
    expect(out.stderr).toContain("standard input items[1] is not an object (string); skipped");
    expect(out.stderr).toContain("standard input items[2] is a Service, not a Pod or Event; skipped");
    expect(JSON.parse(out.stdout).pods).toHaveLength(dump.items.length - 3);
  });

  test.each([
    [["-f", "-"], "null"],
    [["-f", "-"], "[1, 2]"],
    [["-f", "-"], '{"kind": "Deployment"}'],
  ])("exit 2 with the kubectl command to run when the input is not pods: %j %s", async (argv, stdin) => {
    const { io, out } = fakeIO({}, stdin);
    expect(await diagnose(argv, io)).toBe(2);
    expect(out.stderr).toMatch(/standard input holds neither a Pod nor a List of them .*kubectl get pods,events -o json/);
  });

  test.each([
    [["-f", "/nonexistent/pods.json"], 'crashguard diagnose: cannot read "/nonexistent/pods.json": ENOENT\n'],
    [["-f", join(fixtures, "..", "..", "verify", "cli.test.ts")], /is not JSON/],
    [[], /-f FILE is required/],
  ])("exit 2 on unreadable input %j", async (argv, message) => {
    const { io, out } = fakeIO();
    expect(await diagnose(argv as string[], io)).toBe(2);
    expect(out.stderr).toMatch(message);
    expect(out.stderr).not.toMatch(/\n\s+at /);
  });
});
