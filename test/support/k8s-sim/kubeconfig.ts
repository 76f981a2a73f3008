/** A kubeconfig for the simulator that both the verifier and real kubectl accept. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";

/** Looks like a real service-account token, so tests can assert it never reaches output. */
export const SIM_TOKEN = "eyJhbGciOiJSUzI1NiJ9.c2ltLXNlY3JldC10b2tlbg.c2lnbmF0dXJlLXNlY3JldA";

const pem = (name: string) => readFileSync(join(__dirname, "..", "..", "fixtures", "tls", name));
/** The simulator serves TLS with the test CA, because credentials are never sent over plain http. */
export const SIM_TLS = { key: pem("server.key"), cert: pem("server.crt"), ca: pem("ca.crt") };

export function kubeconfigYaml(server: string, namespace = "shop", context = "sim"): string {
  // Credentials only with TLS, the only way the verifier sends them.
  const tls = server.startsWith("https:");
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    "current-context": context,
    clusters: [{ name: "sim", cluster: { server, ...(tls ? { "certificate-authority-data": SIM_TLS.ca.toString("base64") } : {}) } }],
    users: [{ name: "deployer", user: tls ? { token: SIM_TOKEN } : {} }],
    contexts: [{ name: context, context: { cluster: "sim", user: "deployer", namespace } }],
  });
}

/** Writes the kubeconfig to a fresh temp directory and returns its path. */
export function writeKubeconfig(server: string, namespace = "shop"): string {
  const path = join(mkdtempSync(join(tmpdir(), "crashguard-sim-")), "config");
  writeFileSync(path, kubeconfigYaml(server, namespace), { mode: 0o600 });
  return path;
}
