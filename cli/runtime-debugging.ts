/**
 * What Pulumi's runtime records for debugging that nothing reads under mocks.
 *
 * Every promise it makes — some 115 per `Workload` — goes through `debuggablePromise`
 * (https://github.com/pulumi/pulumi/blob/master/sdk/nodejs/runtime/debuggable.ts), which defines
 * three properties on it (an id, a label, a stack trace that ts-node and jest map through source
 * maps), chains two more promises and keeps it in a set until it settles, for a leak report at exit.
 * And every resource records a full stack, its source position for the engine (`Resource.stackTrace`,
 * https://github.com/pulumi/pulumi/blob/master/sdk/nodejs/resource.ts).
 *
 * Under mocks the engine's side is ours and answers every call, so the leak report could only name
 * operations that never started: a registration the SDK never made, which `check` reports itself
 * (cli/registrations.ts), or a program that never finishes, which the runner reports. The mock
 * engine drops source positions, and a failing program is reported by its message. Meanwhile the
 * stacks were two thirds of a large program's time, and the wrapping held ~65 MB of a 1,000-Workload
 * program's heap while its resources waited to register. So here promises pass through as they are
 * (a rejection still reaches whoever awaits them) and resources record no stack; the program's own
 * errors keep theirs. The SDK has no setting for either; should it stop calling them this way,
 * nothing breaks: it only runs slower.
 */
import type * as Pulumi from "@pulumi/pulumi";

export type RuntimeDebuggable = { debuggablePromise: <T>(p: Promise<T>, ctx: unknown) => Promise<T> };

export function withoutRuntimeDebugging(pulumi: typeof Pulumi, debuggable: RuntimeDebuggable): void {
  debuggable.debuggablePromise = (p) => p;
  (pulumi.Resource as unknown as { stackTrace: () => unknown[] }).stackTrace = () => [];
}
