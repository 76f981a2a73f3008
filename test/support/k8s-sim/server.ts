/**
 * A loopback Kubernetes API server, just enough of one for the verifier and for real kubectl:
 * discovery, get/list/watch with resourceVersion and selectors, pod logs, and fault injection.
 */
import { randomUUID } from "node:crypto";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { matchesFields, matchesLabels } from "./selectors";

export interface SimObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

interface Resource {
  group: "" | "apps";
  kind: string;
  shortNames?: string[];
}

/** What the simulator serves: every resource is namespaced. */
export const RESOURCES: Record<string, Resource> = {
  pods: { group: "", kind: "Pod", shortNames: ["po"] },
  events: { group: "", kind: "Event", shortNames: ["ev"] },
  deployments: { group: "apps", kind: "Deployment", shortNames: ["deploy"] },
  replicasets: { group: "apps", kind: "ReplicaSet", shortNames: ["rs"] },
  statefulsets: { group: "apps", kind: "StatefulSet", shortNames: ["sts"] },
  daemonsets: { group: "apps", kind: "DaemonSet", shortNames: ["ds"] },
  controllerrevisions: { group: "apps", kind: "ControllerRevision" },
};

export interface Fault {
  /** Which requests fail; omit fields to match any. */
  verb?: "get" | "list" | "watch";
  resource?: string;
  status: 401 | 403 | 410 | 429 | 500 | 503;
  /** How many matching requests fail (default 1). */
  times?: number;
  retryAfterSeconds?: number;
}

export interface SimOptions {
  /** Serve HTTPS with this key and certificate; client certificates signed by `ca` are accepted. */
  tls?: { key: Buffer; cert: Buffer; ca: Buffer };
  /**
   * Who may call: a request whose bearer token or (verified) client certificate CN is not accepted
   * gets 401, as from an API server's authenticator. Discovery stays open, like `system:discovery`.
   */
  authenticate?: (who: { authorization?: string; clientCN?: string }) => boolean;
}

interface HistoryEntry {
  rv: number;
  resource: string;
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: SimObject;
}

interface Watcher {
  resource: string;
  namespace: string;
  labelSelector: string | null;
  fieldSelector: string | null;
  res: http.ServerResponse;
}

interface Snapshot {
  rv: number;
  items: SimObject[];
}

/** Told of every stored change, after it is stored. */
export type Observer = (resource: string, type: HistoryEntry["type"], object: SimObject) => void;

/** Log lines by `namespace/pod/container`, one array per container instance (restart). */
export type LogStore = Map<string, string[][]>;

export class K8sSim {
  readonly url: string;
  /** Objects by resource and namespace, then by name: listing one collection never walks the others. */
  private readonly objects = new Map<string, Map<string, SimObject>>();
  private readonly history: HistoryEntry[] = [];
  /** Watches from a resourceVersion older than this get 410 Gone, as after etcd compaction. */
  private compactedRv = 0;
  private rv = 1;
  private readonly watchers = new Set<Watcher>();
  private readonly observers: Observer[] = [];
  /** The rest of each paged list, by continue token; compaction expires them. */
  private readonly snapshots = new Map<string, Snapshot>();
  private pages = 0;
  private readonly sockets = new Set<Socket>();
  readonly faults: Fault[] = [];
  readonly logs: LogStore = new Map();
  /** "VERB resource" of every resource request, to assert on list/watch behaviour. */
  readonly requests: string[] = [];
  /** Authorization headers seen, to check that a token is sent. */
  readonly authorizations: string[] = [];
  /** Every request with its client and arrival time, so a benchmark can tell when a client started watching. */
  readonly arrivals: { url: string; userAgent?: string; at: number }[] = [];

  private constructor(
    private readonly server: http.Server,
    private readonly options: SimOptions,
  ) {
    this.url = `${options.tls ? "https" : "http"}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  static async start(options: SimOptions = {}): Promise<K8sSim> {
    const server = options.tls ? https.createServer({ ...options.tls, requestCert: true, rejectUnauthorized: false }) : http.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const sim = new K8sSim(server, options);
    server.on("request", (req, res) => sim.handle(req, res));
    server.on("connection", (s) => {
      sim.sockets.add(s);
      s.on("close", () => sim.sockets.delete(s));
    });
    return sim;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  get(resource: string, namespace: string, name: string): SimObject | undefined {
    return this.objects.get(collection(resource, namespace))?.get(name);
  }

  list(resource: string, namespace: string): SimObject[] {
    return [...(this.objects.get(collection(resource, namespace))?.values() ?? [])];
  }

  /**
   * Creates or replaces an object, stamping resourceVersion (and uid, creationTimestamp on create).
   * The stored copy goes through JSON, as what an API server stores does (and at twice the speed
   * of structuredClone, which 5,000 pods of ~4.7 KB notice).
   */
  put(resource: string, obj: SimObject): SimObject {
    const meta = obj.metadata!;
    const k = collection(resource, meta.namespace!);
    if (!this.objects.has(k)) this.objects.set(k, new Map());
    const objects = this.objects.get(k)!;
    const existing = objects.get(meta.name!);
    const stored: SimObject = jsonCopy({
      apiVersion: RESOURCES[resource].group ? `${RESOURCES[resource].group}/v1` : "v1",
      kind: RESOURCES[resource].kind,
      ...obj,
      metadata: {
        uid: existing?.metadata?.uid ?? randomUUID(),
        creationTimestamp: existing?.metadata?.creationTimestamp ?? new Date().toISOString(),
        ...meta,
        resourceVersion: String(++this.rv),
      },
    });
    objects.set(meta.name!, stored);
    this.emit(resource, existing ? "MODIFIED" : "ADDED", stored);
    return stored;
  }

  delete(resource: string, namespace: string, name: string): void {
    const existing = this.get(resource, namespace, name);
    if (!existing) return;
    this.objects.get(collection(resource, namespace))!.delete(name);
    this.emit(resource, "DELETED", { ...existing, metadata: { ...existing.metadata, resourceVersion: String(++this.rv) } });
  }

  /**
   * Calls `observer` for every object already stored (as ADDED) and then for every change, so a
   * controller can keep its own counts instead of listing a collection on each change.
   */
  observe(observer: Observer): void {
    for (const [key, objects] of this.objects) for (const o of objects.values()) observer(key.split("/")[0], "ADDED", o);
    this.observers.push(observer);
  }

  /** Forget history: every open or future watch from an older resourceVersion gets 410 Gone. */
  compact(): void {
    this.compactedRv = this.rv;
    this.history.length = 0;
    this.snapshots.clear();
    for (const w of this.watchers) this.endWatch(w, goneEvent());
  }

  /** Cut every open watch connection without a goodbye, as a load balancer would. */
  dropWatches(): void {
    for (const w of this.watchers) w.res.socket?.destroy();
    this.watchers.clear();
  }

  openWatches(): number {
    return this.watchers.size;
  }

  private emit(resource: string, type: HistoryEntry["type"], object: SimObject): void {
    this.history.push({ rv: this.rv, resource, type, object });
    for (const observer of this.observers) observer(resource, type, object);
    for (const w of this.watchers) if (this.visible(w, resource, object)) w.res.write(JSON.stringify({ type, object }) + "\n");
  }

  private visible(
    w: Pick<Watcher, "resource" | "namespace" | "labelSelector" | "fieldSelector">,
    resource: string,
    obj: SimObject,
  ): boolean {
    return (
      w.resource === resource &&
      obj.metadata?.namespace === w.namespace &&
      matchesLabels(w.labelSelector, obj.metadata?.labels) &&
      matchesFields(w.fieldSelector, obj)
    );
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? "/", this.url);
    if (req.headers.authorization) this.authorizations.push(req.headers.authorization);
    this.arrivals.push({ url: decodeURIComponent(req.url ?? "/"), userAgent: req.headers["user-agent"], at: Date.now() });
    const discovery = this.discovery(url.pathname);
    if (discovery) return json(res, 200, discovery);
    if (this.options.authenticate && !this.options.authenticate({ authorization: req.headers.authorization, clientCN: clientCN(req) })) {
      return json(res, 401, status(401, "Unauthorized", "Unauthorized"));
    }
    const m = /^\/(?:api\/v1|apis\/apps\/v1)\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?(?:\/(log))?$/.exec(url.pathname);
    const resource = m?.[4] ? "pods/log" : m?.[2];
    if (!m || !resource || !(resource in RESOURCES || resource === "pods/log"))
      return json(res, 404, status(404, "NotFound", `the server could not find the requested resource ${url.pathname}`));
    const [, namespace, , name] = m;
    const watching = url.searchParams.get("watch") === "true" || url.searchParams.get("watch") === "1";
    const verb = watching ? "watch" : name ? "get" : "list";
    this.requests.push(`${verb} ${resource}`);
    const fault = this.faults.find((f) => (!f.verb || f.verb === verb) && (!f.resource || f.resource === resource));
    if (fault) {
      if ((fault.times = (fault.times ?? 1) - 1) <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
      return this.fail(res, fault, verb, resource, namespace);
    }
    if (m[4]) return this.log(res, namespace, name, url.searchParams);
    if (name) {
      const obj = this.get(resource, namespace, name);
      return obj ? json(res, 200, obj) : json(res, 404, status(404, "NotFound", `${resource} "${name}" not found`));
    }
    const selectors = {
      resource,
      namespace,
      labelSelector: url.searchParams.get("labelSelector"),
      fieldSelector: url.searchParams.get("fieldSelector"),
    };
    if (watching) return this.watch(res, selectors, url.searchParams.get("resourceVersion"));
    const token = url.searchParams.get("continue");
    const snapshot = token
      ? this.snapshots.get(token)
      : { rv: this.rv, items: this.list(resource, namespace).filter((o) => this.visible(selectors, resource, o)) };
    if (!snapshot) return json(res, 410, status(410, "Expired", CONTINUE_EXPIRED));
    if (token) this.snapshots.delete(token);
    json(res, 200, {
      apiVersion: RESOURCES[resource].group ? `${RESOURCES[resource].group}/v1` : "v1",
      kind: `${RESOURCES[resource].kind}List`,
      ...this.page(snapshot, Number(url.searchParams.get("limit") ?? 0)),
    });
  }

  /**
   * The first `limit` items of a list, and a continue token for the rest: the rest is served as
   * it was when the list began, as the API server serves every page from the first page's
   * resourceVersion (https://kubernetes.io/docs/reference/using-api/api-concepts/#retrieving-large-results-sets-in-chunks).
   */
  private page(snapshot: Snapshot, limit: number): { metadata: { resourceVersion: string; continue?: string }; items: SimObject[] } {
    const resourceVersion = String(snapshot.rv);
    if (!(limit > 0) || snapshot.items.length <= limit) return { metadata: { resourceVersion }, items: snapshot.items };
    const token = Buffer.from(JSON.stringify({ rv: snapshot.rv, page: ++this.pages })).toString("base64");
    this.snapshots.set(token, { rv: snapshot.rv, items: snapshot.items.slice(limit) });
    return { metadata: { resourceVersion, continue: token }, items: snapshot.items.slice(0, limit) };
  }

  private watch(res: http.ServerResponse, selectors: Omit<Watcher, "res">, rvParam: string | null): void {
    res.writeHead(200, { "Content-Type": "application/json", "Transfer-Encoding": "chunked" });
    // Clients (client-go) wait for the headers before they consider a watch established.
    res.flushHeaders();
    const watcher: Watcher = { ...selectors, res };
    const from = Number(rvParam ?? "0");
    if (rvParam && from !== 0 && from < this.compactedRv) return void res.end(JSON.stringify(goneEvent()) + "\n");
    if (!rvParam || from === 0) {
      for (const o of this.list(selectors.resource, selectors.namespace))
        if (this.visible(selectors, selectors.resource, o)) res.write(JSON.stringify({ type: "ADDED", object: o }) + "\n");
    } else {
      for (const h of this.history)
        if (h.rv > from && this.visible(selectors, h.resource, h.object))
          res.write(JSON.stringify({ type: h.type, object: h.object }) + "\n");
    }
    this.watchers.add(watcher);
    res.on("close", () => this.watchers.delete(watcher));
  }

  private endWatch(w: Watcher, last: object): void {
    w.res.end(JSON.stringify(last) + "\n");
    this.watchers.delete(w);
  }

  private log(res: http.ServerResponse, namespace: string, pod: string, q: URLSearchParams): void {
    const container = q.get("container") ?? "";
    const instances = this.logs.get(`${namespace}/${pod}/${container}`) ?? [];
    const index = instances.length - (q.get("previous") === "true" ? 2 : 1);
    if (index < 0)
      return json(res, 400, status(400, "BadRequest", `previous terminated container "${container}" in pod "${pod}" not found`));
    const tail = Number(q.get("tailLines") ?? "0");
    const lines = tail > 0 ? instances[index].slice(-tail) : instances[index];
    res.writeHead(200, { "Content-Type": "text/plain" });
    res.end(lines.map((l) => l + "\n").join(""));
  }

  private fail(res: http.ServerResponse, fault: Fault, verb: string, resource: string, namespace: string): void {
    if (fault.status === 410 && verb === "watch") {
      res.writeHead(200, { "Content-Type": "application/json" });
      return void res.end(JSON.stringify(goneEvent()) + "\n");
    }
    const headers: Record<string, string> = fault.retryAfterSeconds !== undefined ? { "Retry-After": String(fault.retryAfterSeconds) } : {};
    const messages: Record<number, [string, string]> = {
      401: ["Unauthorized", "Unauthorized"],
      403: [
        "Forbidden",
        `${resource} is forbidden: User "system:serviceaccount:ci:deployer" cannot ${verb} resource "${resource}" in API group "${RESOURCES[resource]?.group ?? ""}" in the namespace "${namespace}"`,
      ],
      429: ["TooManyRequests", "Too many requests, please try again later."],
      500: ["InternalError", "Internal error occurred: etcdserver: request timed out"],
      503: ["ServiceUnavailable", "the server is currently unable to handle the request"],
      410: ["Expired", "too old resource version"],
    };
    const [reason, message] = messages[fault.status];
    json(res, fault.status, status(fault.status, reason, message), headers);
  }

  private discovery(path: string): object | undefined {
    const serverAddress = [{ clientCIDR: "0.0.0.0/0", serverAddress: new URL(this.url).host }];
    const groupVersion = { groupVersion: "apps/v1", version: "v1" };
    const resourceList = (gv: string, group: "" | "apps") => ({
      kind: "APIResourceList",
      apiVersion: "v1",
      groupVersion: gv,
      resources: Object.entries(RESOURCES)
        .filter(([, r]) => r.group === group)
        .flatMap(([name, r]) => [
          {
            name,
            singularName: r.kind.toLowerCase(),
            namespaced: true,
            kind: r.kind,
            verbs: ["get", "list", "watch"],
            ...(r.shortNames ? { shortNames: r.shortNames } : {}),
          },
          ...(name === "pods" ? [{ name: "pods/log", singularName: "", namespaced: true, kind: "Pod", verbs: ["get"] }] : []),
        ]),
    });
    switch (path) {
      case "/version":
        return { major: "1", minor: "32", gitVersion: "v1.32.0-crashguard-sim", platform: "linux/amd64" };
      case "/api":
        return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: serverAddress };
      case "/apis":
        return {
          kind: "APIGroupList",
          apiVersion: "v1",
          groups: [{ name: "apps", versions: [groupVersion], preferredVersion: groupVersion }],
        };
      case "/api/v1":
        return resourceList("v1", "");
      case "/apis/apps/v1":
        return resourceList("apps/v1", "apps");
    }
    return undefined;
  }
}

const CONTINUE_EXPIRED =
  "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.";

function jsonCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}

function collection(resource: string, namespace: string): string {
  return `${resource}/${namespace}`;
}

/** The common name of a client certificate the server's CA verified, if any. */
function clientCN(req: http.IncomingMessage): string | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (!socket.authorized || !socket.getPeerCertificate) return undefined;
  const cn = socket.getPeerCertificate().subject?.CN;
  return Array.isArray(cn) ? cn[0] : cn;
}

function status(code: number, reason: string, message: string): object {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
}

function goneEvent(): object {
  return { type: "ERROR", object: status(410, "Expired", "too old resource version") };
}

function json(res: http.ServerResponse, code: number, body: object, headers: Record<string, string> = {}): void {
  res.writeHead(code, { "Content-Type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}
