/**
 * A list-then-watch mirror of one API collection, kept until aborted: resumes from the last
 * resourceVersion after a dropped connection, lists again on 410 Gone (backing off when 410s
 * repeat), backs off with jitter on 429/5xx and connection failures, and gives up only on errors
 * retrying cannot fix (401, 403, 404…). It reports which call it is waiting on and whether the
 * last attempt failed, so the caller can tell a broken API from a slow rollout.
 */
import { ApiError, GoneError, type KubeClient, type Target, type WatchEvent } from "./kube-client";

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

export interface Backoff {
  /** First delay, doubled per consecutive failure. */
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 250, maxMs: 10_000 };

/** Exponential with "equal jitter": half fixed, half random, so clients do not retry in step. */
export function backoffDelay(attempt: number, policy: Backoff, retryAfterSeconds?: number): number {
  if (retryAfterSeconds !== undefined) return Math.min(retryAfterSeconds * 1000, policy.maxMs);
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

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
export async function mirror<T extends KubeObject>(client: KubeClient, spec: CollectionSpec, onChange: ChangeHandler<T>, signal: AbortSignal, backoff = DEFAULT_BACKOFF, health: MirrorHealth = { listed: false }): Promise<void> {
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
        const list = await client.getJSON<ListResponse<T>>(spec.path, spec.query, target("list"), signal);
        items.clear();
        for (const item of Array.isArray(list?.items) ? list.items : []) if (item && typeof item === "object") items.set(String(item.metadata?.name ?? ""), item);
        resourceVersion = String(list?.metadata?.resourceVersion ?? "0");
        health.listed = true;
        health.lastError = undefined;
        onChange(items);
      }
      let sawEvent = false;
      calling("watch");
      await client.watch<T>(spec.path, { ...spec.query, resourceVersion }, target("watch"), (event: WatchEvent<T>) => {
        if (!event?.object || typeof event.object !== "object") return;
        sawEvent = true;
        failures = 0;
        gone = 0;
        health.lastError = undefined;
        resourceVersion = String(event.object.metadata?.resourceVersion ?? resourceVersion);
        if (event.type === "BOOKMARK") return;
        const name = String(event.object.metadata?.name ?? "");
        if (event.type === "DELETED") items.delete(name);
        else items.set(name, event.object);
        onChange(items);
      }, signal);
      // A server that closes watches at once must not make us spin.
      if (!sawEvent) await sleep(backoffDelay(failures++, backoff), signal);
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof GoneError) {
        resourceVersion = undefined;
        // One 410 is routine (etcd compacted); a server answering 410 to every call must not be hammered.
        if (gone++ > 0) {
          health.lastError = err;
          await sleep(backoffDelay(gone - 2, backoff), signal);
        }
        continue;
      }
      if (!(err instanceof ApiError) || !err.retryable) throw err;
      health.lastError = err;
      await sleep(backoffDelay(failures++, backoff, err.retryAfterSeconds), signal);
    }
  }
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
