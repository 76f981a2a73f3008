/**
 * The few Kubernetes API calls the verifier makes — get, list, watch, pod logs — over node:http(s).
 *
 * Why not `@kubernetes/client-node`: version 2 loads undici 8, which throws at import on Node 20;
 * version 1.4 loads (through Node's require of ES modules) but its generated API models add 66 MB
 * of RSS and 250 ms before the first request, which alone would break the verifier's 150 MB budget
 * while watching 1,000 pods (`npm run bench:verify`). The verifier needs four GETs and a watch;
 * its kubeconfig handling (kubeconfig.ts: TLS, exec plugins such as kubelogin, token files,
 * KUBECONFIG merging) is held to kubectl's behaviour by test/verify/auth.test.ts. Its types are not
 * wanted either: they model dates as `Date`, while the wire (and `kubectl get -o json`) carries
 * strings — `kubernetes-types` matches the JSON exactly.
 */
import * as http from "node:http";
import * as https from "node:https";
import type { Connection } from "./kubeconfig";
import { verbsFor } from "./rbac-rules";

/** What a request was for, so a refusal can say which grant is missing. */
export interface Target {
  verb: "get" | "list" | "watch";
  resource: string;
  namespace: string;
}

export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    message: string,
    readonly status: number,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
  /** 429, 5xx and connection failures are worth retrying; 4xx are not. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

/** The watch's resourceVersion is too old (410 Gone): list again. */
export class GoneError extends Error {
  override name = "GoneError";
}

export interface WatchEvent<T> {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: T;
}

interface Status {
  kind?: string;
  code?: number;
  message?: string;
}

export class KubeClient {
  private readonly agent: http.Agent;
  constructor(private readonly conn: Connection) {
    const tls = { ca: conn.ca, cert: conn.cert, key: conn.key, rejectUnauthorized: !conn.insecureSkipTLSVerify };
    this.agent = conn.server.startsWith("https:") ? new https.Agent({ keepAlive: true, ...tls }) : new http.Agent({ keepAlive: true });
  }

  async getJSON<T>(path: string, query: Record<string, string>, target: Target, signal?: AbortSignal): Promise<T> {
    return JSON.parse(await this.getText(path, query, target, signal)) as T;
  }

  async getText(path: string, query: Record<string, string>, target: Target, signal?: AbortSignal): Promise<string> {
    const res = await this.open(path, query, target, signal);
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  }

  /**
   * Streams a watch until the server ends it (resolve), the signal aborts (resolve), or it fails:
   * GoneError on 410, ApiError otherwise. A dropped connection resolves too — the caller resumes
   * from the last resourceVersion it saw.
   */
  async watch<T>(path: string, query: Record<string, string>, target: Target, onEvent: (e: WatchEvent<T>) => void, signal: AbortSignal): Promise<void> {
    const res = await this.open(path, { ...query, watch: "1", allowWatchBookmarks: "true" }, target, signal);
    let buffered = "";
    try {
      for await (const chunk of res) {
        buffered += (chunk as Buffer).toString("utf8");
        let newline: number;
        while ((newline = buffered.indexOf("\n")) >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          if (!line) continue;
          const event = JSON.parse(line) as WatchEvent<T>;
          if (event.type === "ERROR") throw statusError(event.object as Status, target, this.conn);
          onEvent(event);
        }
      }
    } catch (err) {
      if (err instanceof GoneError || err instanceof ApiError) throw err;
      // ECONNRESET / aborted: the stream is over; resuming is the caller's job.
    }
  }

  private open(path: string, query: Record<string, string>, target: Target, signal?: AbortSignal): Promise<http.IncomingMessage> {
    const url = new URL(this.conn.server + path);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return this.conn.authorization().then(
      (authorization) =>
        new Promise((resolve, reject) => {
          const headers: http.OutgoingHttpHeaders = { Accept: "application/json", "User-Agent": "crashguard-verify" };
          if (authorization) headers.Authorization = authorization;
          const transport = url.protocol === "https:" ? https : http;
          const req = transport.request(url, { method: "GET", headers, agent: this.agent, signal }, (res) => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) return resolve(res);
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => {
              let body: Status = {};
              try {
                body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Status;
              } catch {
                body = { message: res.statusMessage };
              }
              const retryAfter = Number(res.headers["retry-after"]);
              reject(statusError({ ...body, code: status }, target, this.conn, Number.isFinite(retryAfter) ? retryAfter : undefined));
            });
            res.on("error", reject);
          });
          req.on("error", (err: NodeJS.ErrnoException) => {
            if (signal?.aborted) return reject(err);
            if (TLS_TRUST_ERRORS.has(err.code ?? "")) {
              const fix = `set certificate-authority-data for the cluster of context "${this.conn.context}" (on AKS, az aks get-credentials writes it)`;
              return reject(new ApiError(`cannot trust the API server ${this.conn.server} (${err.code}): ${fix}`, 495));
            }
            reject(new ApiError(scrub(`cannot reach the API server ${this.conn.server} (${err.code ?? err.message})`, this.conn), 0));
          });
          req.end();
        }),
    );
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Certificate errors no retry can fix; 495 is nginx's "SSL Certificate Error", outside the API's codes. */
const TLS_TRUST_ERRORS = new Set(["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "SELF_SIGNED_CERT_IN_CHAIN", "DEPTH_ZERO_SELF_SIGNED_CERT", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "CERT_HAS_EXPIRED", "ERR_TLS_CERT_ALTNAME_INVALID"]);

function statusError(status: Status, target: Target, conn: Connection, retryAfterSeconds?: number): Error {
  const code = status.code ?? 0;
  const where = `${target.resource} in namespace ${target.namespace}`;
  if (code === 410) return new GoneError(`watch of ${where} expired (410 Gone)`);
  if (code === 401) {
    return new ApiError(`the API server rejected the credentials of context "${conn.context}" (401 Unauthorized): refresh the kubeconfig (on AKS: az aks get-credentials, kubelogin)`, 401);
  }
  if (code === 403) return new ApiError(`cannot ${target.verb} ${where}: grant verbs ${verbsFor(target.resource)} on ${target.resource} (see verify/rbac.yaml)`, 403);
  const detail = status.message ? `: ${status.message}` : "";
  return new ApiError(scrub(`${target.verb} ${where} failed with HTTP ${code}${detail}`, conn), code, retryAfterSeconds);
}

/** Removes credentials from text bound for users: Authorization values and the kubeconfig's own secrets. */
export function scrub(text: string, conn?: Pick<Connection, "secrets">): string {
  let out = text.replace(/(authorization["']?\s*[:=]\s*["']?)(bearer|basic)?\s*[^\s"',}]+/gi, "$1[redacted]").replace(/\bBearer\s+[A-Za-z0-9._~+/=-]+/g, "Bearer [redacted]");
  for (const secret of conn?.secrets ?? []) if (secret) out = out.split(secret).join("[redacted]");
  return out;
}
