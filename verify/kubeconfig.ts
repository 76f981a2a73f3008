/**
 * Reads a kubeconfig the way kubectl does (inline text or file, `KUBECONFIG` with several files,
 * `--context`), down to what one connection needs. Errors name the file and context but never
 * carry credentials.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { X509Certificate } from "node:crypto";
import { createSecureContext } from "node:tls";
import { homedir } from "node:os";
import { delimiter, dirname, isAbsolute, join } from "node:path";
import { parse } from "yaml";
import { DEADLINE_PASSED, timerMs } from "./backoff";

export interface KubeconfigOptions {
  /** Kubeconfig YAML text, or a path to it. Defaults to `KUBECONFIG`, then `~/.kube/config`. */
  kubeconfig?: string;
  /** Context name; defaults to the kubeconfig's `current-context`. */
  context?: string;
  /** Environment to read `KUBECONFIG` and `HOME` from (defaults to `process.env`). */
  env?: NodeJS.ProcessEnv;
}

export interface Connection {
  context: string;
  server: string;
  /** The context's namespace, used when the caller names none. */
  namespace?: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecureSkipTLSVerify: boolean;
  /**
   * Value for the Authorization header, fetched per request so exec tokens can refresh. A
   * credential plugin still running at `deadline` (epoch ms) or when `signal` aborts is killed.
   */
  authorization: (bound?: { deadline?: number; signal?: AbortSignal }) => Promise<string | undefined>;
  /** Every credential string, so error texts can be scrubbed of them. */
  secrets: string[];
}

export class KubeconfigError extends Error {
  override name = "KubeconfigError";
}

type Named = { name?: string } & Record<string, unknown>;
interface RawConfig {
  "current-context"?: string;
  clusters?: Named[];
  contexts?: Named[];
  users?: Named[];
}
interface RawCluster {
  server?: string;
  "certificate-authority"?: string;
  "certificate-authority-data"?: string;
  "insecure-skip-tls-verify"?: boolean;
}
interface RawUser {
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
  "client-certificate"?: string;
  "client-certificate-data"?: string;
  "client-key"?: string;
  "client-key-data"?: string;
  exec?: { command: string; apiVersion?: string; args?: string[]; env?: { name: string; value: string }[] | null };
}

interface Source {
  config: RawConfig;
  /** Directory that relative file references resolve against. */
  dir: string;
  label: string;
}

/** Longest a credential plugin may run when the caller gives no deadline. */
const PLUGIN_TIMEOUT_MS = 60_000;
/** Flags and env names whose values are credentials, scrubbed from every error. */
const SECRET_NAME = /secret|token|password|passwd|key|credential|certificate/i;

export function loadConnection(options: KubeconfigOptions = {}): Connection {
  const env = options.env ?? process.env;
  const sources = readSources(options.kubeconfig, env);
  const pick = <T>(
    list: "clusters" | "contexts" | "users",
    name: string | undefined,
    field: string,
  ): { value: T; dir: string; label: string } | undefined => {
    for (const s of sources) {
      const entries = s.config[list] ?? [];
      if (!Array.isArray(entries))
        throw new KubeconfigError(
          `"${list}" in kubeconfig ${s.label} must be a list of entries with a name and a ${field}, as kubectl writes it`,
        );
      const entry = entries.find((e) => e?.name === name);
      if (!entry) continue;
      const value = entry[field] ?? {};
      if (typeof value !== "object" || Array.isArray(value))
        throw new KubeconfigError(`${list}[name=${name}].${field} in kubeconfig ${s.label} must be a mapping`);
      return { value: value as T, dir: s.dir, label: s.label };
    }
    return undefined;
  };
  const where = sources.map((s) => s.label).join(", ");
  const contextName = options.context ?? sources.find((s) => s.config["current-context"])?.config["current-context"];
  if (!contextName) throw new KubeconfigError(`no context given and no current-context set in ${where}`);
  const context = pick<{ cluster?: string; user?: string; namespace?: string }>("contexts", contextName, "context")?.value;
  if (!context) throw new KubeconfigError(`context "${contextName}" not found in ${where}`);
  const cluster = pick<RawCluster>("clusters", context.cluster, "cluster");
  if (!cluster?.value.server)
    throw new KubeconfigError(`cluster "${context.cluster ?? ""}" of context "${contextName}" has no server in ${where}`);
  const server = serverURL(cluster.value.server, `clusters[name=${context.cluster}].cluster.server in kubeconfig ${cluster.label}`);
  const user = pick<RawUser>("users", context.user, "user") ?? { value: {}, dir: cluster.dir, label: cluster.label };
  const file = (path: string | undefined, data: string | undefined, dir: string, what: string): Buffer | undefined => {
    if (data) return Buffer.from(String(data), "base64");
    if (!path) return undefined;
    try {
      return readFileSync(isAbsolute(path) ? path : join(dir, path));
    } catch {
      throw new KubeconfigError(`cannot read the ${what} file "${path}" of context "${contextName}"`);
    }
  };
  const u = user.value;
  const userField = (name: string) => `users[name=${context.user}].user.${name} in kubeconfig ${user.label}`;
  const credential = u.token ? "token" : u.tokenFile ? "tokenFile" : u.username && u.password ? "password" : u.exec ? "exec" : undefined;
  if (credential && server.protocol === "http:") {
    // As kubectl: credentials travel only over TLS, where nobody on the path can read them.
    throw new KubeconfigError(
      `refusing to send the credentials of ${userField(credential)} over plain http to ${server.origin}: use an https:// server in clusters[name=${context.cluster}].cluster.server`,
    );
  }
  const secrets = [
    u.token,
    u.password,
    u.username && u.password ? Buffer.from(`${u.username}:${u.password}`).toString("base64") : undefined,
    ...pluginSecrets(u.exec),
  ].filter((s): s is string => typeof s === "string" && s.length > 0);
  const ca = file(
    cluster.value["certificate-authority"],
    cluster.value["certificate-authority-data"],
    cluster.dir,
    "certificate-authority",
  );
  const cert = file(u["client-certificate"], u["client-certificate-data"], user.dir, "client-certificate");
  const key = file(u["client-key"], u["client-key-data"], user.dir, "client-key");
  checkTLSMaterial(ca, cert, key, contextName);
  return {
    context: contextName,
    server: server.href.replace(/\/+$/, ""),
    namespace: context.namespace,
    ca,
    cert,
    key,
    insecureSkipTLSVerify: cluster.value["insecure-skip-tls-verify"] === true,
    authorization: authorization(u, user.dir, contextName, env, secrets),
    secrets,
  };
}

function serverURL(server: unknown, field: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(String(server));
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:"))
    throw new KubeconfigError(`${field} must be an https:// URL such as https://my-cluster.hcp.westeurope.azmk8s.io:443`);
  return url;
}

/** Certificates OpenSSL cannot load fail here with the kubeconfig's terms, not at the first request with OpenSSL's. */
function checkTLSMaterial(ca: Buffer | undefined, cert: Buffer | undefined, key: Buffer | undefined, context: string): void {
  const check = (what: string, load: () => unknown) => {
    try {
      load();
    } catch {
      throw new KubeconfigError(
        `the ${what} of context "${context}" is not a usable PEM certificate${what.includes("key") ? " and key pair" : ""}: fetch the kubeconfig again (on AKS: az aks get-credentials)`,
      );
    }
  };
  if (ca) check("certificate-authority", () => new X509Certificate(ca));
  if (cert || key) check("client-certificate and client-key", () => createSecureContext({ cert, key }));
}

/** Values of a plugin's secret-looking flags (`--client-secret=…`, `--password …`) and env entries. */
function pluginSecrets(exec: RawUser["exec"]): string[] {
  const args = Array.isArray(exec?.args) ? exec.args.map(String) : [];
  const out: string[] = [];
  args.forEach((arg, i) => {
    const eq = arg.indexOf("=");
    if (arg.startsWith("-") && eq > 0 && SECRET_NAME.test(arg.slice(0, eq))) out.push(arg.slice(eq + 1));
    else if (arg.startsWith("-") && eq < 0 && SECRET_NAME.test(arg) && i + 1 < args.length && !args[i + 1].startsWith("-"))
      out.push(args[i + 1]);
  });
  for (const e of Array.isArray(exec?.env) ? exec.env : []) if (e && SECRET_NAME.test(String(e.name)) && e.value) out.push(String(e.value));
  return out;
}

function readSources(kubeconfig: string | undefined, env: NodeJS.ProcessEnv): Source[] {
  if (kubeconfig && (kubeconfig.includes("\n") || kubeconfig.trimStart().startsWith("{")))
    return [{ config: parseConfig(kubeconfig, "the given kubeconfig"), dir: process.cwd(), label: "the given kubeconfig" }];
  const paths = kubeconfig
    ? [kubeconfig]
    : env.KUBECONFIG
      ? env.KUBECONFIG.split(delimiter).filter(Boolean)
      : [join(env.HOME ?? homedir(), ".kube", "config")];
  return paths.map((path) => {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (err) {
      throw new KubeconfigError(`cannot read kubeconfig "${path}": ${(err as NodeJS.ErrnoException).code ?? "unreadable"}`);
    }
    return { config: parseConfig(text, `"${path}"`), dir: dirname(path), label: `"${path}"` };
  });
}

function parseConfig(text: string, label: string): RawConfig {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch {
    // The parser's message quotes the offending line, which may hold a token.
    throw new KubeconfigError(`kubeconfig ${label} is not valid YAML`);
  }
  if (!doc || typeof doc !== "object") throw new KubeconfigError(`kubeconfig ${label} is empty or not a mapping`);
  return doc as RawConfig;
}

type Authorize = Connection["authorization"];

function authorization(u: RawUser, dir: string, context: string, env: NodeJS.ProcessEnv, secrets: string[]): Authorize {
  if (u.token) return async () => `Bearer ${u.token}`;
  if (u.tokenFile) {
    const path = isAbsolute(u.tokenFile) ? u.tokenFile : join(dir, u.tokenFile);
    return async () => {
      const token = readFileSync(path, "utf8").trim();
      secrets.push(token);
      return `Bearer ${token}`;
    };
  }
  if (u.username && u.password) return async () => `Basic ${Buffer.from(`${u.username}:${u.password}`).toString("base64")}`;
  if (u.exec) return execCredential(u.exec, context, env, secrets);
  return async () => undefined;
}

/** client.authentication.k8s.io exec plugins (kubelogin on AKS): run, cache the token until it expires. */
function execCredential(exec: NonNullable<RawUser["exec"]>, context: string, env: NodeJS.ProcessEnv, secrets: string[]): Authorize {
  let cached: { token: string; expires: number } | undefined;
  const name = `the credential plugin "${exec.command}" of context "${context}"`;
  return async (bound = {}) => {
    if (cached && cached.expires > Date.now() + 10_000) return `Bearer ${cached.token}`;
    // As client-go runs plugins: the kubeconfig's env on top of ours, and the request in KUBERNETES_EXEC_INFO.
    const execInfo = {
      apiVersion: exec.apiVersion ?? "client.authentication.k8s.io/v1beta1",
      kind: "ExecCredential",
      spec: { interactive: false },
    };
    const childEnv = {
      ...env,
      ...Object.fromEntries((exec.env ?? []).map((e) => [e.name, e.value])),
      KUBERNETES_EXEC_INFO: JSON.stringify(execInfo),
    };
    const limitMs = bound.deadline === undefined ? PLUGIN_TIMEOUT_MS : Math.min(PLUGIN_TIMEOUT_MS, bound.deadline - Date.now());
    const stdout = await runPlugin(exec.command, (exec.args ?? []).map(String), childEnv, limitMs, bound.signal, name);
    let token: string | undefined;
    let expiry: string | undefined;
    try {
      const status = (JSON.parse(stdout) as { status?: { token?: unknown; expirationTimestamp?: unknown } }).status;
      token = typeof status?.token === "string" ? status.token : undefined;
      expiry = typeof status?.expirationTimestamp === "string" ? status.expirationTimestamp : undefined;
    } catch {
      token = undefined;
    }
    if (!token) throw new KubeconfigError(`${name} returned no token`);
    secrets.push(token);
    const expires = expiry ? Date.parse(expiry) : NaN;
    cached = { token, expires: Number.isFinite(expires) ? expires : Date.now() + 60_000 };
    return `Bearer ${token}`;
  };
}

/** Largest plugin output read; an ExecCredential is a few kilobytes. */
const MAX_PLUGIN_OUTPUT = 1024 * 1024;

/**
 * Runs a plugin in its own process group, so that at the time limit the plugin and anything it
 * started (a shell script's children hold its stdout open) are killed together. Errors name the
 * plugin and how it ended, never its arguments or output, where credentials live.
 */
function runPlugin(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  limitMs: number,
  signal: AbortSignal | undefined,
  name: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    if (limitMs <= 0 || signal?.aborted) return reject(new KubeconfigError(`${name} was not started: the deadline has passed`));
    const child = spawn(command, args, { env, detached: process.platform !== "win32", stdio: ["ignore", "pipe", "ignore"] });
    let stdout = "";
    let ended = false;
    let killedFor: string | undefined;
    const kill = (why: string) => {
      if (ended) return;
      killedFor = why;
      try {
        if (child.pid !== undefined && process.platform !== "win32") process.kill(-child.pid, "SIGKILL");
        else child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
    };
    const tooSlow = `did not finish within ${Math.round(limitMs / 100) / 10}s and was killed`;
    const timer = setTimeout(() => kill(tooSlow), timerMs(limitMs));
    const onAbort = () => kill(signal?.reason === DEADLINE_PASSED ? tooSlow : "was stopped: the verification ended");
    signal?.addEventListener("abort", onAbort, { once: true });
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString("utf8");
      if (stdout.length > MAX_PLUGIN_OUTPUT) kill(`wrote more than ${MAX_PLUGIN_OUTPUT / 1024 / 1024} MiB and was killed`);
    });
    const finish = (err?: KubeconfigError) => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      child.stdout.destroy();
      if (err) reject(err);
      else resolve(stdout);
    };
    child.on("error", (err: NodeJS.ErrnoException) =>
      finish(new KubeconfigError(`${name} could not be started (${err.code ?? "error"}): install it or fix exec.command`)),
    );
    // "exit", not "close": a failed plugin's grandchild holding the pipe open must not keep us waiting.
    child.on("exit", (code, sig) => {
      if (killedFor) return finish(new KubeconfigError(`${name} ${killedFor}`));
      // All of stdout first — unless a whole ExecCredential is already there, and a daemon the
      // plugin left behind holds the pipe; the time limit bounds the wait either way.
      if (code === 0)
        return child.stdout.closed || isJSON(stdout)
          ? finish()
          : child.stdout.once("close", () => finish(killedFor ? new KubeconfigError(`${name} ${killedFor}`) : undefined));
      finish(new KubeconfigError(`${name} failed (${sig ? `killed by ${sig}` : `exit code ${code}`})`));
    });
  });
}

function isJSON(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
