/**
 * Hostile kubeconfigs and credential plugins: each is exit 2 with the field to fix, never a stack
 * trace, never a credential, and a hung plugin is killed — with what it started — at the deadline.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { run } from "../../cli/main";
import { KubeClient } from "../../verify/kube-client";
import { KubeconfigError, loadConnection } from "../../verify/kubeconfig";
import { fakeIO } from "../support/io";
import { K8sSim, SIM_TLS, SimCluster } from "../support/k8s-sim";
import { TEST_SCALE, app, deployment } from "../verify/sim-harness";
import { RAW_CONTROL, TOKEN } from "./fake-api";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "crashguard-hostile-"));
});

function write(name: string, config: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof config === "string" ? config : stringify(config), { mode: 0o600 });
  return path;
}

function config(cluster: Record<string, unknown>, user: Record<string, unknown>, clusters?: unknown): unknown {
  return {
    apiVersion: "v1",
    kind: "Config",
    "current-context": "c",
    clusters: clusters ?? [{ name: "k", cluster }],
    users: [{ name: "u", user }],
    contexts: [{ name: "c", context: { cluster: "k", user: "u", namespace: "shop" } }],
  };
}

async function verifyWith(kubeconfig: string, ...args: string[]): Promise<{ code: number; out: string }> {
  const io = fakeIO({ env: { NO_COLOR: "1" } });
  const code = await run(["verify", "deployment/web", "--kubeconfig", kubeconfig, "--timeout", "10s", ...args], io);
  const out = io.out + io.err;
  expect(out).not.toMatch(/\n\s+at /);
  expect(out).not.toMatch(RAW_CONTROL);
  return { code, out };
}

const CLIENT_SECRET = "client-secret-value-DO-NOT-PRINT";

describe("kubeconfigs that cannot be used are exit 2 naming the field", () => {
  test.each([
    [
      "a bearer token over plain http",
      config({ server: "http://127.0.0.1:1" }, { token: TOKEN }),
      /refusing to send the credentials of users\[name=u\]\.user\.token in kubeconfig ".*" over plain http to http:\/\/127\.0\.0\.1:1: use an https:\/\/ server in clusters\[name=k\]\.cluster\.server/,
    ],
    [
      "basic auth over plain http",
      config({ server: "http://127.0.0.1:1" }, { username: "admin", password: CLIENT_SECRET }),
      /users\[name=u\]\.user\.password .* over plain http/,
    ],
    [
      "a credential plugin over plain http",
      config({ server: "http://127.0.0.1:1" }, { exec: { command: "kubelogin", args: [`--client-secret=${CLIENT_SECRET}`] } }),
      /users\[name=u\]\.user\.exec .* over plain http/,
    ],
    [
      "clusters as a map",
      config({}, {}, { k: { server: "https://127.0.0.1:1" } }),
      /"clusters" in kubeconfig ".*" must be a list of entries with a name and a cluster/,
    ],
    [
      "a server that is not a URL",
      config({ server: "not a url" }, {}),
      /clusters\[name=k\]\.cluster\.server in kubeconfig ".*" must be an https:\/\/ URL/,
    ],
    ["a server with another scheme", config({ server: "ftp://127.0.0.1" }, {}), /must be an https:\/\/ URL/],
    [
      "a client certificate that is not PEM",
      config(
        { server: "https://127.0.0.1:1" },
        {
          "client-certificate-data": Buffer.from("garbage").toString("base64"),
          "client-key-data": Buffer.from(CLIENT_SECRET).toString("base64"),
        },
      ),
      /the client-certificate and client-key of context "c" is not a usable PEM certificate and key pair/,
    ],
    [
      "a CA that is not PEM",
      config({ server: "https://127.0.0.1:1", "certificate-authority-data": Buffer.from("nope").toString("base64") }, {}),
      /the certificate-authority of context "c" is not a usable PEM certificate/,
    ],
    [
      "a user entry that is a string",
      { ...(config({ server: "https://127.0.0.1:1" }, {}) as object), users: [{ name: "u", user: "token" }] },
      /users\[name=u\]\.user in kubeconfig ".*" must be a mapping/,
    ],
  ])("%s", async (_name, kubeconfig, message) => {
    const { code, out } = await verifyWith(write("config", kubeconfig));
    expect(code).toBe(2);
    expect(out).toMatch(message);
    expect(out).not.toContain(TOKEN);
    expect(out).not.toContain(CLIENT_SECRET);
  });
});

describe("credential plugins", () => {
  /** A plugin that starts a child holding its stdout open, records both pids, then hangs. */
  function hungPlugin(): { command: string; pids: () => number[] } {
    const pids = join(dir, "pids");
    const command = join(dir, "kubelogin");
    writeFileSync(
      command,
      `#!${process.execPath}
const { spawn } = require("child_process");
const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: ["ignore", "inherit", "inherit"] });
require("fs").writeFileSync(${JSON.stringify(pids)}, process.pid + " " + child.pid);
process.on("SIGTERM", () => {});
setInterval(() => {}, 1000);
`,
    );
    chmodSync(command, 0o755);
    return { command, pids: () => (existsSync(pids) ? readFileSync(pids, "utf8").split(" ").map(Number) : []) };
  }

  const execUser = (command: string, extra: string[] = []) => ({
    exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command, args: ["get-token", "--client-secret", CLIENT_SECRET, ...extra] },
  });

  test("a hung plugin and the process it started are killed at the deadline; the error names the plugin, not its secret", async () => {
    const { command, pids } = hungPlugin();
    const connection = loadConnection({
      kubeconfig: write(
        "config",
        config(
          { server: "https://127.0.0.1:1", "certificate-authority-data": SIM_TLS.ca.toString("base64") },
          execUser(command, [`--password=${CLIENT_SECRET}`]),
        ),
      ),
    });
    const client = new KubeClient(connection, { deadline: Date.now() + 1_000 });
    const err = await client.getJSON("/api/v1/namespaces/shop/pods", {}, { verb: "list", resource: "pods", namespace: "shop" }).then(
      () => new Error("expected a failure"),
      (e: Error) => e,
    );
    client.close();
    expect(err).toBeInstanceOf(KubeconfigError);
    expect(err.message).toMatch(/^the credential plugin ".*kubelogin" of context "c" did not finish within \d+(\.\d)?s and was killed$/);
    expect(err.message).not.toContain(CLIENT_SECRET);
    expect(pids()).toHaveLength(2);
    await until(() => pids().every((pid) => !alive(pid)));
  });

  test("a plugin that prints its credential and leaves a process holding stdout still authenticates", async () => {
    const command = join(dir, "kubelogin");
    const credential = { apiVersion: "client.authentication.k8s.io/v1beta1", kind: "ExecCredential", status: { token: TOKEN } };
    writeFileSync(
      command,
      `#!${process.execPath}
process.stdout.write(${JSON.stringify(JSON.stringify(credential))});
const daemon = require("child_process").spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: ["ignore", "inherit", "ignore"] });
require("fs").writeFileSync(${JSON.stringify(join(dir, "daemon"))}, String(daemon.pid));
daemon.unref();
`,
    );
    chmodSync(command, 0o755);
    const connection = loadConnection({ kubeconfig: write("config", config({ server: "https://127.0.0.1:1" }, execUser(command))) });
    // The daemon outlives jest's timeout: waiting for it to close stdout would fail this test.
    await expect(connection.authorization({ deadline: Date.now() + 120_000 })).resolves.toBe(`Bearer ${TOKEN}`);
    process.kill(Number(readFileSync(join(dir, "daemon"), "utf8")), "SIGKILL");
  });

  test("a failing plugin's arguments and output stay out of the error", async () => {
    const command = join(dir, "kubelogin");
    writeFileSync(command, `#!${process.execPath}\nprocess.stderr.write(process.argv.join(" ")); process.exit(3);\n`);
    chmodSync(command, 0o755);
    const connection = loadConnection({ kubeconfig: write("config", config({ server: "https://127.0.0.1:1" }, execUser(command))) });
    const err = await connection.authorization().catch((e: Error) => e);
    expect((err as Error).message).toMatch(/^the credential plugin ".*kubelogin" of context "c" failed \(exit code 3\)$/);
    expect(connection.secrets).toContain(CLIENT_SECRET);
  });
});

describe("durations past what Node timers hold", () => {
  let sim: K8sSim;
  let cluster: SimCluster;
  afterEach(async () => {
    cluster.stop();
    await sim.stop();
  });

  test("--timeout 600h does not time out at once: the rollout is verified", async () => {
    sim = await K8sSim.start();
    cluster = new SimCluster(sim, TEST_SCALE);
    cluster.deploy(deployment("web", [app({ kind: "healthy" })]));
    const { code, out } = await verifyWith(write("config", config({ server: sim.url }, {})), "--timeout", "600h", "--stable-for", "300ms");
    expect(out).toMatch(/rollout verified/);
    expect(code).toBe(0);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits for a condition on the event loop; jest's timeout bounds it. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}
