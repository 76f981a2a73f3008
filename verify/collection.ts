/**
 * A list-then-watch mirror of one API collection, kept until aborted: resumes from the last
 * resourceVersion after a dropped connection, lists again on 410 Gone (backing off when 410s
 * repeat), backs off with jitter on 429/5xx and connection failures, and gives up only on errors
 * retrying cannot fix (401, 403, 404…). It reports which call it is waiting on and whether the
 * last attempt failed, so the caller can tell a broken API from a slow rollout.
 */
import { DEFAULT_BACKOFF, backoffDelay, sleep } from "./backoff";
import { ApiError, DeadlineError, GoneError, type KubeClient, MalformedAnswerError, type Target, type WatchEvent } from "./kube-client";

export interface KubeObject {
  metadata?: { name?: string; resourceVersion?: string };
}

export interface CollectionSpec<T = KubeObject> {
  /** e.g. `/api/v1/namespaces/shop/pods` */
  path: string;
  query: Record<string, string>;
  resource: string;
  namespace: string;
  /**
   * What to keep of each object as it arrives (see projection.ts), or undefined to keep nothing
   * of it; what it keeps must carry `metadata.name`, which keys the mirror. Default: the object
   * as it came.
   */
  keep?: (item: T) => T | undefined;
}

/**
 * Objects per list request, as client-go's pager asks
 * (https://github.com/kubernetes/client-go/blob/master/tools/pager/pager.go): no answer, nor the
 * string it is parsed from, grows with the collection.
 */
export const PAGE_SIZE = 500;

/** Re-exported for verify/rollout.ts, which configures the mirror's backoff. */
export { type Backoff, DEFAULT_BACKOFF } from "./backoff";

export type ChangeHandler<T> = (items: ReadonlyMap<string, T>) => void;

/** The mirror's own state: the call in flight and the error of the last failed attempt (cleared by a success). */
export interface MirrorHealth {
  /** e.g. "list pods in namespace shop" */
  calling?: string;
  lastError?: Error;
  /** Whether a list has ever succeeded. */
  listed: boolean;
}

/**
 * Runs until `signal` aborts (resolves) or a non-retryable error (rejects).
 * `onChange` sees the whole collection after the initial list and after every event.
 */
export async function mirror<T extends KubeObject>(
  client: KubeClient,
  spec: CollectionSpec<T>,
  onChange: ChangeHandler<T>,
  signal: AbortSignal,
  backoff = DEFAULT_BACKOFF,
  health: MirrorHealth = { listed: false },
): Promise<void> {
  const items = new Map<string, T>();
  let resourceVersion: string | undefined;
  let failures = 0;
  let gone = 0;
  const calling = (verb: Target["verb"]) => (health.calling = `${verb} ${spec.resource} in namespace ${spec.namespace}`);
  while (!signal.aborted) {
    try {
      if (resourceVersion === undefined) {
        calling("list");
        resourceVersion = await list(client, spec, items, signal, health);
        health.listed = true;
        health.lastError = undefined;
        onChange(items);
      }
      let sawEvent = false;
      calling("watch");
      await client.watch<T>(
        spec.path,
        { ...spec.query, resourceVersion },
        targetOf(spec, "watch"),
        (event: WatchEvent<T>) => {
          if (!event?.object || typeof event.object !== "object") return;
          sawEvent = true;
          failures = 0;
          gone = 0;
          health.lastError = undefined;
          const version = event.object.metadata?.resourceVersion;
          if (typeof version === "string") resourceVersion = version;
          if (event.type === "BOOKMARK") return;
          if (event.type === "DELETED") items.delete(nameOf(event.object));
          else store(items, event.object, spec.keep);
          onChange(items);
        },
        signal,
      );
      // A server that closes watches at once must not make us spin.
      if (!sawEvent) await sleep(backoffDelay(failures++, backoff), signal);
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof GoneError) {
        // One relist is the normal answer to 410; a server that keeps answering 410 gets backoff, not a spin.
        if (resourceVersion === undefined || gone++ > 0) {
          health.lastError = err;
          await sleep(backoffDelay(failures++, backoff), signal);
        }
        resourceVersion = undefined;
        continue;
      }
      // At the deadline, the failure we were retrying is the one to report.
      const last = health.lastError;
      if (err instanceof DeadlineError && last instanceof ApiError && !(last instanceof GoneError))
        throw new DeadlineError(`${last.message} (still failing at the deadline)`, last.status);
      if (!(err instanceof ApiError) || !err.retryable) throw err;
      health.lastError = err;
      await sleep(backoffDelay(failures++, backoff, err.retryAfterSeconds), signal);
    }
  }
}

/**
 * Lists the collection page by page into `items` (replacing what it held once the last page is
 * in) and returns the resourceVersion to watch from. A continue token that expired is a 410: the
 * caller lists again from the start.
 */
async function list<T extends KubeObject>(
  client: KubeClient,
  spec: CollectionSpec<T>,
  items: Map<string, T>,
  signal: AbortSignal,
  health: MirrorHealth,
): Promise<string> {
  const listed = new Map<string, T>();
  const tokens = new Set<string>();
  const keep = (item: unknown) => (item && typeof item === "object" ? (spec.keep ? spec.keep(item as T) : (item as T)) : undefined);
  for (let token: string | undefined; ; ) {
    const query = { ...spec.query, limit: String(PAGE_SIZE), ...(token ? { continue: token } : {}) };
    const page = await client.list(spec.path, query, targetOf(spec, "list"), keep, signal, { onRetry: (err) => (health.lastError = err) });
    for (const item of page.items) listed.set(nameOf(item), item);
    token = typeof page.metadata.continue === "string" && page.metadata.continue ? page.metadata.continue : undefined;
    if (token === undefined) {
      items.clear();
      for (const [name, item] of listed) items.set(name, item);
      return typeof page.metadata.resourceVersion === "string" ? page.metadata.resourceVersion : "0";
    }
    // A server that hands out the same page again would keep us listing until the deadline.
    if (tokens.has(token))
      throw new MalformedAnswerError(
        `list ${spec.resource} in namespace ${spec.namespace}: the API server sent the same continue token twice`,
        502,
      );
    tokens.add(token);
  }
}

function targetOf(spec: Pick<CollectionSpec, "resource" | "namespace">, verb: Target["verb"]): Target {
  return { verb, resource: spec.resource, namespace: spec.namespace };
}

/** Stores what `keep` keeps of an object, or drops the name when it keeps nothing. */
function store<T extends KubeObject>(items: Map<string, T>, item: T, keep: CollectionSpec<T>["keep"]): void {
  const kept = keep ? keep(item) : item;
  if (kept === undefined) items.delete(nameOf(item));
  else items.set(nameOf(item), kept);
}

/** API data is untrusted: a name that is not a string keys nothing real. */
function nameOf(item: KubeObject): string {
  const name = item?.metadata?.name;
  return typeof name === "string" ? name : "";
}
