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

interface ListResponse<T> {
  metadata?: { resourceVersion?: string };
  items?: T[];
}

export interface CollectionSpec {
  /** e.g. `/api/v1/namespaces/shop/pods` */
  path: string;
  query: Record<string, string>;
  resource: string;
  namespace: string;
}

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
  spec: CollectionSpec,
  onChange: ChangeHandler<T>,
  signal: AbortSignal,
  backoff = DEFAULT_BACKOFF,
  health: MirrorHealth = { listed: false },
): Promise<void> {
  const items = new Map<string, T>();
  let resourceVersion: string | undefined;
  let failures = 0;
  let gone = 0;
  const target = (verb: Target["verb"]): Target => ({ verb, resource: spec.resource, namespace: spec.namespace });
  const calling = (verb: Target["verb"]) => (health.calling = `${verb} ${spec.resource} in namespace ${spec.namespace}`);
  while (!signal.aborted) {
    try {
      if (resourceVersion === undefined) {
        calling("list");
        const list = await client.getJSON<ListResponse<T>>(spec.path, spec.query, target("list"), signal, {
          onRetry: (err) => (health.lastError = err),
        });
        if (!Array.isArray(list?.items))
          throw new MalformedAnswerError(
            `list ${spec.resource} in namespace ${spec.namespace}: the API server's answer has no items list`,
            502,
          );
        items.clear();
        for (const item of list.items) if (item && typeof item === "object") items.set(nameOf(item), item);
        resourceVersion = typeof list.metadata?.resourceVersion === "string" ? list.metadata.resourceVersion : "0";
        health.listed = true;
        health.lastError = undefined;
        onChange(items);
      }
      let sawEvent = false;
      calling("watch");
      await client.watch<T>(
        spec.path,
        { ...spec.query, resourceVersion },
        target("watch"),
        (event: WatchEvent<T>) => {
          if (!event?.object || typeof event.object !== "object") return;
          sawEvent = true;
          failures = 0;
          gone = 0;
          health.lastError = undefined;
          const version = event.object.metadata?.resourceVersion;
          if (typeof version === "string") resourceVersion = version;
          if (event.type === "BOOKMARK") return;
          const name = nameOf(event.object);
          if (event.type === "DELETED") items.delete(name);
          else items.set(name, event.object);
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

/** API data is untrusted: a name that is not a string keys nothing real. */
function nameOf(item: KubeObject): string {
  const name = item?.metadata?.name;
  return typeof name === "string" ? name : "";
}
