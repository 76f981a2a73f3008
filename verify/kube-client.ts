/**
 * The few Kubernetes API calls the verifier makes — get, list, watch, pod logs — over node:http(s).
 *
 * Why not `@kubernetes/client-node`: version 2 loads undici 8, which throws at import on Node 20;
 * version 1.4 loads (through Node's require of ES modules) but its generated API models add 66 MB
 * of RSS and 250 ms before the first request, which alone would break the verifier's 120 MB budget
 * while watching 1,000 pods (`npm run bench:verify`). The verifier needs four GETs and a watch;
 * its kubeconfig handling (kubeconfig.ts: TLS, exec plugins such as kubelogin, token files,
 * KUBECONFIG merging) is held to kubectl's behaviour by test/verify/auth.test.ts. Its types are not
 * wanted either: they model dates as `Date`, while the wire (and `kubectl get -o json`) carries
 * strings — `kubernetes-types` matches the JSON exactly.
 */
import * as http from "node:http";
import * as https from "node:https";
import { type Backoff, DEFAULT_BACKOFF, backoffDelay, sleep, untilDeadline } from "./backoff";
import { type Connection, KubeconfigError } from "./kubeconfig";
import { InvalidJsonError, readList } from "./list-reader";
import { isRecord } from "./read";
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

/** A call still unanswered when the caller's deadline came: named, and never retried. */
export class DeadlineError extends ApiError {
  override name = "DeadlineError";
  override get retryable(): boolean {
    return false;
  }
}

/** An answer no retry will mend: not JSON, or not the shape the API defines. */
export class MalformedAnswerError extends ApiError {
  override name = "MalformedAnswerError";
  override get retryable(): boolean {
    return false;
  }
}

/** The watch's resourceVersion is too old (410 Gone): list again. */
export class GoneError extends Error {
  override name = "GoneError";
}

/** A list's metadata (resourceVersion, continue) and what the caller kept of its items. */
export interface ListAnswer<T> {
  metadata: { resourceVersion?: unknown; continue?: unknown };
  items: T[];
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

export interface ClientOptions {
  /**
   * Epoch milliseconds by which every call must be answered — the verdict's deadline. A call
   * still running then (headers, body or watch stream) is aborted with a {@link DeadlineError}
   * naming it, and so is a credential plugin still running. Default: none.
   */
  deadline?: number;
  /** Delays between retries of 429, 5xx and connection failures. */
  backoff?: Backoff;
  /** Retries per call when no deadline bounds them. Default 4. */
  maxRetries?: number;
  /** Largest response body (or watch event) read, so a hostile server cannot exhaust memory. Default 256 MiB. */
  maxBodyBytes?: number;
}

/** Per-call options; `deadline` overrides the client's, e.g. a short one for a last log read. */
export interface CallOptions {
  deadline?: number;
  /** Told of each failure the call is about to retry, so a caller can tell a failing API from a slow one. */
  onRetry?: (err: ApiError) => void;
}

const DEFAULT_MAX_BODY_BYTES = 256 * 1024 * 1024;
const NEWLINE = 0x0a;
const WATCH_EVENT_TYPES = new Set(["ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"]);

export class KubeClient {
  private readonly agent: http.Agent;
  constructor(
    private readonly conn: Connection,
    private readonly options: ClientOptions = {},
  ) {
    const tls = { ca: conn.ca, cert: conn.cert, key: conn.key, rejectUnauthorized: !conn.insecureSkipTLSVerify };
    this.agent = conn.server.startsWith("https:") ? new https.Agent({ keepAlive: true, ...tls }) : new http.Agent({ keepAlive: true });
  }

  /** The deadline calls run under unless they pass their own. */
  get deadline(): number | undefined {
    return this.options.deadline;
  }

  async getJSON<T>(path: string, query: Record<string, string>, target: Target, signal?: AbortSignal, call: CallOptions = {}): Promise<T> {
    const text = await this.getText(path, query, target, signal, call);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new MalformedAnswerError(`${describe(target)}: the API server answered with invalid JSON`, 502);
    }
  }

  /** One GET, retried with backoff on 429, 5xx and connection failures until the deadline. */
  getText(path: string, query: Record<string, string>, target: Target, signal?: AbortSignal, call: CallOptions = {}): Promise<string> {
    return this.get(path, query, target, signal, call, (res) => readBody(res, this.maxBody, target));
  }

  /**
   * A list, read item by item (list-reader.ts): `keep` sees each item as soon as it is parsed and
   * returns what to keep of it, so the full items never pile up. Retried as {@link getText}; each
   * attempt starts afresh.
   */
  list<T>(
    path: string,
    query: Record<string, string>,
    target: Target,
    keep: (item: unknown) => T | undefined,
    signal?: AbortSignal,
    call: CallOptions = {},
  ): Promise<ListAnswer<T>> {
    return this.get(path, query, target, signal, call, async (res) => {
      const items: T[] = [];
      let list: unknown;
      try {
        list = await readList(limited(res, this.maxBody, target), (item) => {
          const kept = keep(item);
          if (kept !== undefined) items.push(kept);
        });
      } catch (err) {
        if (!(err instanceof InvalidJsonError)) throw err;
        throw new MalformedAnswerError(`${describe(target)}: the API server answered with invalid JSON`, 502);
      }
      const { metadata, items: rest } = (list ?? {}) as { metadata?: unknown; items?: unknown };
      if (!Array.isArray(rest)) throw new MalformedAnswerError(`${describe(target)}: the API server's answer has no items list`, 502);
      return { metadata: isRecord(metadata) ? metadata : {}, items };
    });
  }

  private async get<R>(
    path: string,
    query: Record<string, string>,
    target: Target,
    signal: AbortSignal | undefined,
    call: CallOptions,
    read: (res: http.IncomingMessage) => Promise<R>,
  ): Promise<R> {
    const deadline = call.deadline ?? this.options.deadline;
    const backoff = this.options.backoff ?? DEFAULT_BACKOFF;
    let last: ApiError | undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.bounded(target, deadline, signal, async (bound) => read(await this.open(path, query, target, bound, deadline)));
      } catch (err) {
        // The failure that made us retry says more than "the deadline passed" during the retry.
        if (err instanceof DeadlineError && last) throw gaveUp(last, attempt);
        if (!(err instanceof ApiError) || !err.retryable || signal?.aborted) throw err;
        last = err;
        call.onRetry?.(err);
        const delay = backoffDelay(attempt, backoff, err.retryAfterSeconds);
        const outOfTime = deadline !== undefined ? Date.now() + delay >= deadline : attempt >= (this.options.maxRetries ?? 4);
        if (outOfTime) throw gaveUp(err, attempt + 1);
        await sleep(delay, signal);
      }
    }
  }

  /**
   * Streams a watch until the server ends it (resolve), the signal aborts (resolve), or it fails:
   * GoneError on 410, DeadlineError at the deadline, ApiError otherwise. A dropped connection
   * resolves too — the caller resumes from the last resourceVersion it saw.
   */
  async watch<T>(
    path: string,
    query: Record<string, string>,
    target: Target,
    onEvent: (e: WatchEvent<T>) => void,
    signal: AbortSignal,
    call: CallOptions = {},
  ): Promise<void> {
    const deadline = call.deadline ?? this.options.deadline;
    await this.bounded(target, deadline, signal, async (bound) => {
      const res = await this.open(path, { ...query, watch: "1", allowWatchBookmarks: "true" }, target, bound, deadline);
      // One event per line. Lines are cut from the bytes, so a character split between two chunks arrives whole.
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      try {
        for await (const chunk of res as AsyncIterable<Buffer>) {
          let start = 0;
          for (let newline = chunk.indexOf(NEWLINE); newline >= 0; newline = chunk.indexOf(NEWLINE, start)) {
            pending.push(chunk.subarray(start, newline));
            const line = Buffer.concat(pending).toString("utf8").trim();
            pending = [];
            pendingBytes = 0;
            start = newline + 1;
            if (!line) continue;
            const event = parseEvent<T>(line, target);
            if (event.type === "ERROR") throw statusError(event.object as Status, target, this.conn);
            onEvent(event);
          }
          pending.push(chunk.subarray(start));
          pendingBytes += chunk.length - start;
          if (pendingBytes > this.maxBody)
            throw new ApiError(`${describe(target)}: a watch event is larger than ${mib(this.maxBody)}`, 502);
        }
      } catch (err) {
        if (err instanceof GoneError || err instanceof ApiError || bound.aborted) throw err;
        // ECONNRESET: the stream is over; resuming is the caller's job.
      }
    }).catch((err) => {
      if (!signal.aborted) throw err;
    });
  }

  private get maxBody(): number {
    return this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  }

  /** Runs `work` under the deadline: when it passes first, the call fails with its name and the time waited. */
  private async bounded<R>(
    target: Target,
    deadline: number | undefined,
    signal: AbortSignal | undefined,
    work: (bound: AbortSignal) => Promise<R>,
  ): Promise<R> {
    if (deadline !== undefined && Date.now() >= deadline) throw this.deadlineError(target, deadline);
    const started = Date.now();
    const limit = untilDeadline(deadline, signal);
    try {
      return await work(limit.signal);
    } catch (err) {
      // A credential plugin killed at the deadline names itself; anything else stuck is named here.
      if (limit.expired() && !(err instanceof KubeconfigError)) throw this.deadlineError(target, deadline!, started);
      throw err;
    } finally {
      limit.dispose();
    }
  }

  private deadlineError(target: Target, deadline: number, started = deadline): DeadlineError {
    const waited = Math.max(0, Math.round((deadline - started) / 100) / 10);
    return new DeadlineError(
      `${describe(target)}: no complete answer from the API server ${this.conn.server} within the deadline (waited ${waited}s)`,
      0,
    );
  }

  private async open(
    path: string,
    query: Record<string, string>,
    target: Target,
    signal: AbortSignal,
    deadline: number | undefined,
  ): Promise<http.IncomingMessage> {
    const url = new URL(this.conn.server + path);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const authorization = await this.conn.authorization({ deadline, signal });
    return new Promise((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = { Accept: "application/json", "User-Agent": "crashguard-verify" };
      if (authorization) headers.Authorization = authorization;
      const transport = url.protocol === "https:" ? https : http;
      const req = transport.request(url, { method: "GET", headers, agent: this.agent, signal }, (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) return resolve(res);
        readBody(res, 1024 * 1024, target).then((text) => {
          let body: Status = {};
          try {
            const parsed: unknown = JSON.parse(text);
            if (parsed && typeof parsed === "object") body = parsed as Status;
          } catch {
            body = { message: res.statusMessage };
          }
          const retryAfter = Number(res.headers["retry-after"]);
          reject(
            statusError(
              { message: typeof body.message === "string" ? body.message : undefined, code: status },
              target,
              this.conn,
              Number.isFinite(retryAfter) ? retryAfter : undefined,
            ),
          );
        }, reject);
      });
      req.on("error", (err: NodeJS.ErrnoException) => {
        if (signal.aborted) return reject(err);
        if (TLS_TRUST_ERRORS.has(err.code ?? "")) {
          const fix = `set certificate-authority-data for the cluster of context "${this.conn.context}" (on AKS, az aks get-credentials writes it)`;
          return reject(new ApiError(`cannot trust the API server ${this.conn.server} (${err.code}): ${fix}`, 495));
        }
        reject(
          new ApiError(
            scrub(`${describe(target)}: cannot reach the API server ${this.conn.server} (${err.code ?? err.message})`, this.conn),
            0,
          ),
        );
      });
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The whole body, refused past `max` bytes. */
async function readBody(res: http.IncomingMessage, max: number, target: Target): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of limited(res, max, target)) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

/** The body's chunks, refused past `max` bytes; a connection that breaks mid-body is a retryable failure. */
async function* limited(res: http.IncomingMessage, max: number, target: Target): AsyncGenerator<Buffer> {
  let size = 0;
  try {
    for await (const chunk of res) {
      size += (chunk as Buffer).length;
      if (size > max) {
        res.destroy();
        throw new ApiError(`${describe(target)}: the answer is larger than ${mib(max)}; narrow the request or raise the limit`, 413);
      }
      yield chunk as Buffer;
    }
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError(
      `${describe(target)}: the connection broke while reading the answer (${(err as NodeJS.ErrnoException).code ?? "aborted"})`,
      0,
    );
  }
}

function parseEvent<T>(line: string, target: Target): WatchEvent<T> {
  let event: unknown;
  try {
    event = JSON.parse(line);
  } catch {
    throw new MalformedAnswerError(`${describe(target)}: the API server sent a watch event that is not JSON`, 502);
  }
  const { type, object } = (event ?? {}) as { type?: unknown; object?: unknown };
  if (typeof type !== "string" || !WATCH_EVENT_TYPES.has(type) || object === null || typeof object !== "object" || Array.isArray(object)) {
    throw new MalformedAnswerError(`${describe(target)}: the API server sent a watch event without a known type and an object`, 502);
  }
  return event as WatchEvent<T>;
}

function gaveUp(err: ApiError, attempts: number): DeadlineError {
  return new DeadlineError(`${err.message} (gave up after ${attempts} attempt${attempts === 1 ? "" : "s"})`, err.status);
}

function describe(target: Target): string {
  return `${target.verb} ${target.resource} in namespace ${target.namespace}`;
}

function mib(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MiB`;
}

/** Certificate errors no retry can fix; 495 is nginx's "SSL Certificate Error", outside the API's codes. */
const TLS_TRUST_ERRORS = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

function statusError(status: Status, target: Target, conn: Connection, retryAfterSeconds?: number): Error {
  const code = typeof status.code === "number" ? status.code : 0;
  const where = `${target.resource} in namespace ${target.namespace}`;
  if (code === 410) return new GoneError(`watch of ${where} expired (410 Gone)`);
  if (code === 401) {
    return new ApiError(
      `the API server rejected the credentials of context "${conn.context}" (401 Unauthorized): refresh the kubeconfig (on AKS: az aks get-credentials, kubelogin)`,
      401,
    );
  }
  if (code === 403)
    return new ApiError(
      `cannot ${target.verb} ${where}: grant verbs ${verbsFor(target.resource)} on ${target.resource} (see verify/rbac.yaml)`,
      403,
    );
  const detail = typeof status.message === "string" && status.message ? `: ${status.message}` : "";
  return new ApiError(scrub(`${target.verb} ${where} failed with HTTP ${code}${detail}`, conn), code, retryAfterSeconds);
}

/** Removes credentials from text bound for users: Authorization values and the kubeconfig's own secrets. */
export function scrub(text: string, conn?: Pick<Connection, "secrets">): string {
  let out = text
    .replace(/(authorization["']?\s*[:=]\s*["']?)(bearer|basic)?\s*[^\s"',}]+/gi, "$1[redacted]")
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, "$1 [redacted]");
  for (const secret of conn?.secrets ?? []) if (secret) out = out.split(secret).join("[redacted]");
  return out;
}
