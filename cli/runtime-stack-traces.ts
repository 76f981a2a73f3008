/**
 * Pulumi's runtime records a stack trace with every promise it makes, some 30 per resource, kept
 * for leak reports (`debuggablePromise`,
 * https://github.com/pulumi/pulumi/blob/master/sdk/nodejs/runtime/debuggable.ts), and a full one
 * with every resource, its source position for the engine (`Resource.stackTrace`,
 * https://github.com/pulumi/pulumi/blob/master/sdk/nodejs/resource.ts); ts-node (and jest) map each
 * frame through source maps. Under mocks that was two thirds of a large program's time, and nothing
 * reads them: the mock engine drops source positions, and a failing program is reported by its
 * message. The SDK has no setting for either, so here they record no frames; the program's own
 * errors keep theirs. Should the SDK stop calling them this way, nothing breaks: it only runs slower.
 */
import type * as Pulumi from "@pulumi/pulumi";

export type RuntimeDebuggable = { debuggablePromise: <T>(p: Promise<T>, ctx: unknown) => Promise<T> };

export function withoutRuntimeStackTraces(pulumi: typeof Pulumi, debuggable: RuntimeDebuggable): void {
  const track = debuggable.debuggablePromise;
  debuggable.debuggablePromise = (p, ctx) => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return track(p, ctx);
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
  (pulumi.Resource as unknown as { stackTrace: () => unknown[] }).stackTrace = () => [];
}
