/**
 * How `crashguard verify` reaches a real cluster: TLS with the kubeconfig's CA and client
 * certificate (inline or as files beside the kubeconfig), credential plugins such as kubelogin
 * (AKS with Entra ID), token files, and KUBECONFIG lists merged as kubectl merges them. The
 * simulator authenticates like an API server: anything else gets 401.
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { stringify } from "yaml";
import { main as verify } from "../../cli/verify";
import { fakeIO } from "../support/io";
import { K8sSim, SIM_TLS, SimCluster } from "../support/k8s-sim";
import { TEST_SCALE, app, deployment } from "./sim-harness";

const TLS = join(__dirname, "..", "fixtures", "tls");
const pem = (name: string) => readFileSync(join(TLS, name));
const b64 = (name: string) => pem(name).toString("base64");
/** What kubelogin would hand out; it must never be printed. */
const ENTRA_TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.ZW50cmEtdG9rZW4.ZW50cmEtc2lnbmF0dXJl";

let sim: K8sSim;
let cluster: SimCluster;
let dir: string;

/** TLS unless a test says otherwise: credentials are never sent over plain http. */
async function start(options: Parameters<typeof K8sSim.start>[0]): Promise<void> {
  sim = await K8sSim.start({ tls: SIM_TLS, ...options });
  cluster = new SimCluster(sim, TEST_SCALE);
  cluster.deploy(deployment("web", [app({ kind: "healthy" })]));
}

afterEach(async () => {
  cluster?.stop();
  await sim?.stop();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "crashguard-auth-"));
});

function kubeconfig(file: string, clusterEntry: Record<string, unknown>, user: Record<string, unknown>): string {
  const path = join(dir, file);
  const config = {
    apiVersion: "v1",
    kind: "Config",
    "current-context": "aks",
    clusters: [{ name: "aks", cluster: { server: sim.url, "certificate-authority-data": b64("ca.crt"), ...clusterEntry } }],
    users: [{ name: "dev", user }],
    contexts: [{ name: "aks", context: { cluster: "aks", user: "dev", namespace: "shop" } }],
  };
  writeFileSync(path, stringify(config), { mode: 0o600 });
  return path;
}

async function runVerify(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = fakeIO({ env: { NO_COLOR: "1", ...env } });
  const code = await verify(["deployment/web", "--stable-for", "300ms", "--timeout", "20s", ...args], io);
  return { code, stdout: io.out, stderr: io.err };
}

const tls = { key: pem("server.key"), cert: pem("server.crt"), ca: pem("ca.crt") };

describe("TLS", () => {
  test("inline CA and client certificate: the server sees the client's identity", async () => {
    await start({ tls, authenticate: (who) => who.clientCN === "deployer" });
    const path = kubeconfig(
      "config",
      { "certificate-authority-data": b64("ca.crt") },
      { "client-certificate-data": b64("client.crt"), "client-key-data": b64("client.key") },
    );
    const result = await runVerify({ KUBECONFIG: path });
    expect(result).toMatchObject({ code: 0, stdout: expect.stringContaining("✓ Deployment shop/web") });
  });

  test("CA and client certificate as files, relative to the kubeconfig", async () => {
    await start({ tls, authenticate: (who) => who.clientCN === "deployer" });
    for (const f of ["ca.crt", "client.crt", "client.key"]) writeFileSync(join(dir, f), pem(f));
    const path = kubeconfig(
      "config",
      { "certificate-authority": "ca.crt" },
      { "client-certificate": "client.crt", "client-key": "client.key" },
    );
    expect((await runVerify({}, "--kubeconfig", path)).code).toBe(0);
  });

  test("an untrusted server certificate is exit 2 with the kubeconfig field to set, not a retry loop", async () => {
    await start({ tls });
    const path = kubeconfig("config", { "certificate-authority-data": undefined }, { token: ENTRA_TOKEN });
    const started = Date.now();
    const result = await runVerify({ KUBECONFIG: path });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^crashguard verify: cannot trust the API server https:\/\/127\.0\.0\.1:\d+ \(\w+\): set certificate-authority-data for the cluster of context "aks"/,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.stderr).not.toContain(ENTRA_TOKEN);
  });

  test("insecure-skip-tls-verify is honoured", async () => {
    await start({ tls });
    const path = kubeconfig("config", { "insecure-skip-tls-verify": true }, {});
    expect((await runVerify({ KUBECONFIG: path })).code).toBe(0);
  });
});

describe("credential plugins (kubelogin on AKS)", () => {
  /** A stand-in for kubelogin: logs each run, checks what client-go would pass, prints an ExecCredential. */
  function plugin(behaviour: "ok" | "fail"): { command: string; runs: () => string[] } {
    const log = join(dir, "runs.log");
    writeFileSync(log, "");
    const command = join(dir, "kubelogin");
    const ok = `const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO || "{}");
require("fs").appendFileSync(${JSON.stringify(log)}, [process.argv.slice(2).join(" "), process.env.AAD_LOGIN_METHOD, info.kind, info.apiVersion].join("|") + "\\n");
process.stdout.write(JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1beta1", kind: "ExecCredential", status: { token: ${JSON.stringify(ENTRA_TOKEN)}, expirationTimestamp: new Date(Date.now() + 3600e3).toISOString() } }));`;
    const fail = `process.stderr.write("AADSTS700016: login failed for token ${ENTRA_TOKEN}\\n"); process.exit(1);`;
    writeFileSync(command, `#!${process.execPath}\n${behaviour === "ok" ? ok : fail}\n`);
    chmodSync(command, 0o755);
    return { command, runs: () => readFileSync(log, "utf8").split("\n").filter(Boolean) };
  }

  const execUser = (command: string) => ({
    exec: {
      apiVersion: "client.authentication.k8s.io/v1beta1",
      command,
      args: ["get-token", "--login", "azurecli", "--server-id", "6dae42f8-4368-4678-94ff-3960e28e3630"],
      env: [{ name: "AAD_LOGIN_METHOD", value: "azurecli" }],
      interactiveMode: "Never",
    },
  });

  test("the plugin's token authenticates every request; the plugin runs once while its token is valid", async () => {
    await start({ authenticate: (who) => who.authorization === `Bearer ${ENTRA_TOKEN}` });
    const { command, runs } = plugin("ok");
    const result = await runVerify({ KUBECONFIG: kubeconfig("config", {}, execUser(command)) });
    expect(result.code).toBe(0);
    expect(sim.requests.length).toBeGreaterThan(3);
    expect(runs()).toEqual([
      "get-token --login azurecli --server-id 6dae42f8-4368-4678-94ff-3960e28e3630|azurecli|ExecCredential|client.authentication.k8s.io/v1beta1",
    ]);
    expect(result.stdout + result.stderr).not.toContain(ENTRA_TOKEN);
  });

  test("a failing plugin is exit 2 naming the plugin and context, without its output", async () => {
    await start({});
    const { command } = plugin("fail");
    const result = await runVerify({ KUBECONFIG: kubeconfig("config", {}, execUser(command)) });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`the credential plugin "${command}" of context "aks" failed`);
    expect(result.stderr).not.toContain(ENTRA_TOKEN);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  test("a wrong token is exit 2 saying how to refresh the credentials", async () => {
    await start({ authenticate: () => false });
    const result = await runVerify({ KUBECONFIG: kubeconfig("config", {}, { token: ENTRA_TOKEN }) });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'crashguard verify: the API server rejected the credentials of context "aks" (401 Unauthorized): refresh the kubeconfig (on AKS: az aks get-credentials, kubelogin)\n',
    );
  });
});

describe("tokens and kubeconfig lists", () => {
  test("tokenFile, relative to the kubeconfig (projected service-account tokens)", async () => {
    await start({ authenticate: (who) => who.authorization === `Bearer ${ENTRA_TOKEN}` });
    writeFileSync(join(dir, "token"), ENTRA_TOKEN + "\n");
    const result = await runVerify({ KUBECONFIG: kubeconfig("config", {}, { tokenFile: "token" }) });
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).not.toContain(ENTRA_TOKEN);
  });

  test("KUBECONFIG lists merge like kubectl's: the first file to name an entry wins", async () => {
    await start({ authenticate: (who) => who.authorization === `Bearer ${ENTRA_TOKEN}` });
    const good = kubeconfig("a.yaml", {}, { token: ENTRA_TOKEN });
    const shadowed = join(dir, "b.yaml");
    writeFileSync(
      shadowed,
      stringify({
        "current-context": "other",
        users: [{ name: "dev", user: { token: "wrong" } }],
        contexts: [{ name: "other", context: { cluster: "none", user: "dev" } }],
      }),
    );
    expect((await runVerify({ KUBECONFIG: [good, shadowed].join(delimiter) })).code).toBe(0);
    // Context "aks" exists only in the second file, but user "dev" is taken from the first file
    // that names it — as kubectl does — whose token the server refuses.
    const merged = await runVerify({ KUBECONFIG: [shadowed, good].join(delimiter) }, "--context", "aks");
    expect(merged).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('rejected the credentials of context "aks" (401 Unauthorized)'),
    });
  });
});
