/**
 * Waiting between retries and under a deadline. Node timers hold a signed 32-bit millisecond
 * count; a longer delay fires at once with a TimeoutOverflowWarning
 * (https://nodejs.org/api/timers.html#settimeoutcallback-delay-args), so every delay here is clamped.
 */

export interface Backoff {
  /** First delay, doubled per consecutive failure. */
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 250, maxMs: 10_000 };

/** The longest delay `setTimeout` honours: about 24.8 days. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** `ms` as a delay `setTimeout` keeps: never negative, never past {@link MAX_TIMER_MS}. */
export function timerMs(ms: number): number {
  return Number.isFinite(ms) ? Math.min(Math.max(0, ms), MAX_TIMER_MS) : MAX_TIMER_MS;
}

/** Exponential with "equal jitter": half fixed, half random, so clients do not retry in step. */
export function backoffDelay(attempt: number, policy: Backoff, retryAfterSeconds?: number): number {
  if (retryAfterSeconds !== undefined) return Math.min(retryAfterSeconds * 1000, policy.maxMs);
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 30));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, timerMs(ms));
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** The abort reason of a signal from {@link untilDeadline} whose deadline came. */
export const DEADLINE_PASSED = "deadline passed";

/**
 * A signal that aborts when `signal` does or when the clock reaches `deadline` (epoch ms),
 * whichever comes first; `dispose` stops its timer once the work is done.
 */
export function untilDeadline(
  deadline: number | undefined,
  signal?: AbortSignal,
): { signal: AbortSignal; expired: () => boolean; dispose: () => void } {
  const controller = new AbortController();
  let expired = false;
  const abort = () => controller.abort();
  signal?.addEventListener("abort", abort, { once: true });
  if (signal?.aborted) controller.abort();
  const timer =
    deadline === undefined
      ? undefined
      : setTimeout(
          () => {
            expired = true;
            controller.abort(DEADLINE_PASSED);
          },
          timerMs(deadline - Date.now()),
        );
  return {
    signal: controller.signal,
    expired: () => expired,
    dispose: () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", abort);
    },
  };
}
