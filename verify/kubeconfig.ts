/**
 * Reads a kubeconfig the way kubectl does (inline text or file, `KUBECONFIG` with several files,
 * `--context`), down to what one connection needs. Errors name the file and context but never
 * carry credentials.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, isAbsolute, join } from "node:path";
import { parse } from "yaml";

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
  /** Value for the Authorization header, fetched per request so exec tokens can refresh. */
  authorization: () => Promise<string | undefined>;
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

export function loadConnection(options: KubeconfigOptions = {}): Connection {
  const env = options.env ?? process.env;
  const sources = readSources(options.kubeconfig, env);
  const pick = <T>(list: "clusters" | "contexts" | "users", name: string | undefined, field: string): { value: T; dir: string } | undefined => {
    for (const s of sources) {
      const entry = (s.config[list] ?? []).find((e) => e?.name === name);
      if (entry) return { value: (entry[field] ?? {}) as T, dir: s.dir };
    }
    return undefined;
  };
  const where = sources.map((s) => s.label).join(", ");
  const contextName = options.context ?? sources.find((s) => s.config["current-context"])?.config["current-context"];
  if (!contextName) throw new KubeconfigError(`no context given and no current-context set in ${where}`);
  const context = pick<{ cluster?: string; user?: string; namespace?: string }>("contexts", contextName, "context")?.value;
  if (!context) throw new KubeconfigError(`context "${contextName}" not found in ${where}`);
  const cluster = pick<RawCluster>("clusters", context.cluster, "cluster");
  if (!cluster?.value.server) throw new KubeconfigError(`cluster "${context.cluster ?? ""}" of context "${contextName}" has no server in ${where}`);
  const user = pick<RawUser>("users", context.user, "user") ?? { value: {}, dir: cluster.dir };
  const file = (path: string | undefined, data: string | undefined, dir: string, what: string): Buffer | undefined => {
    if (data) return Buffer.from(data, "base64");
    if (!path) return undefined;
    try {
      return readFileSync(isAbsolute(path) ? path : join(dir, path));
    } catch {
      throw new KubeconfigError(`cannot read the ${what} file "${path}" of context "${contextName}"`);
    }
  };
  const u = user.value;
  const secrets = [u.token, u.password].filter((s): s is string => !!s);
  return {
    context: contextName,
    server: cluster.value.server.replace(/\/+$/, ""),
    namespace: context.namespace,
    ca: file(cluster.value["certificate-authority"], cluster.value["certificate-authority-data"], cluster.dir, "certificate-authority"),
    cert: file(u["client-certificate"], u["client-certificate-data"], user.dir, "client-certificate"),
    key: file(u["client-key"], u["client-key-data"], user.dir, "client-key"),
    insecureSkipTLSVerify: cluster.value["insecure-skip-tls-verify"] === true,
    authorization: authorization(u, user.dir, contextName, env, secrets),
    secrets,
  };
}

function readSources(kubeconfig: string | undefined, env: NodeJS.ProcessEnv): Source[] {
  if (kubeconfig && (kubeconfig.includes("\n") || kubeconfig.trimStart().startsWith("{"))) return [{ config: parseConfig(kubeconfig, "the given kubeconfig"), dir: process.cwd(), label: "the given kubeconfig" }];
  const paths = kubeconfig ? [kubeconfig] : env.KUBECONFIG ? env.KUBECONFIG.split(delimiter).filter(Boolean) : [join(env.HOME ?? homedir(), ".kube", "config")];
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

function authorization(u: RawUser, dir: string, context: string, env: NodeJS.ProcessEnv, secrets: string[]): () => Promise<string | undefined> {
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
function execCredential(exec: NonNullable<RawUser["exec"]>, context: string, env: NodeJS.ProcessEnv, secrets: string[]): () => Promise<string> {
  let cached: { token: string; expires: number } | undefined;
  return async () => {
    if (cached && cached.expires > Date.now() + 10_000) return `Bearer ${cached.token}`;
    // As client-go runs plugins: the kubeconfig's env on top of ours, and the request in KUBERNETES_EXEC_INFO.
    const execInfo = { apiVersion: exec.apiVersion ?? "client.authentication.k8s.io/v1beta1", kind: "ExecCredential", spec: { interactive: false } };
    const childEnv = { ...env, ...Object.fromEntries((exec.env ?? []).map((e) => [e.name, e.value])), KUBERNETES_EXEC_INFO: JSON.stringify(execInfo) };
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(exec.command, exec.args ?? [], { env: childEnv, timeout: 60_000 }, (err, out) =>
        err ? reject(new KubeconfigError(`the credential plugin "${exec.command}" of context "${context}" failed (${err.code ?? err.message.split("\n")[0]})`)) : resolve(out),
      ),
    );
    let token: string | undefined;
    let expiry: string | undefined;
    try {
      const status = (JSON.parse(stdout) as { status?: { token?: string; expirationTimestamp?: string } }).status;
      token = status?.token;
      expiry = status?.expirationTimestamp;
    } catch {
      token = undefined;
    }
    if (!token) throw new KubeconfigError(`the credential plugin "${exec.command}" of context "${context}" returned no token`);
    secrets.push(token);
    cached = { token, expires: expiry ? Date.parse(expiry) : Date.now() + 60_000 };
    return `Bearer ${token}`;
  };
}
