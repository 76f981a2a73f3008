/**
 * A probe's handler and timings as the kubelet sees them, and as a fix may show them. Fixes copy
 * the container's own handler rather than inventing one — but never a credential: exec commands
 * and HTTP header values may carry tokens, and values Pulumi marks secret stay hidden.
 */
import { isDeepStrictEqual } from "node:util";
import { field, isObject, isPresent } from "./read";
import { PROBE_DEFAULTS } from "./defaults";

export const HANDLERS = ["exec", "httpGet", "tcpSocket", "grpc"] as const;
export type Handler = (typeof HANDLERS)[number];

export type TimingKey = keyof typeof PROBE_DEFAULTS;
export const TIMING_KEYS = Object.keys(PROBE_DEFAULTS) as TimingKey[];

/** What a fix shows in place of a value it must not copy. */
export const SECRET = "[secret]";

// Pulumi's wire signature for a secret (sdk/nodejs/runtime/rpc.ts: specialSigKey, specialSecretSig).
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** A value Pulumi marks secret: on the wire, or as @pulumi/policy's `Secret` wrapper. */
export function isSecretValue(v: unknown): boolean {
  if (!isObject(v)) return false;
  if (field(v, SIG_KEY) === SECRET_SIG) return true;
  return Object.getPrototypeOf(v)?.constructor?.name === "Secret" && Object.hasOwn(v, "value");
}

export function handlerOf(probe: unknown): Handler | undefined {
  for (const h of HANDLERS) if (isPresent(field(probe, h))) return h;
  return undefined;
}

/**
 * The probe's handler as a fix shows it: everything the container set, except an exec command
 * and HTTP header values, which become `[secret]` (the user keeps their own, which the fix says).
 */
export function shownHandler(probe: unknown): Record<string, unknown> | undefined {
  const handler = handlerOf(probe);
  if (!handler) return undefined;
  const spec = field(probe, handler);
  if (!isObject(spec)) return { [handler]: spec };
  const shown: Record<string, unknown> = { ...spec };
  if (handler === "exec" && isPresent(spec.command)) shown.command = SECRET;
  if (handler === "httpGet" && Array.isArray(spec.httpHeaders)) {
    shown.httpHeaders = spec.httpHeaders.map((h) => (isObject(h) ? { ...h, value: SECRET } : SECRET));
  }
  return { [handler]: shown };
}

/** True when a shown handler hides something the user must carry over from their own probe. */
export function hidesSecrets(shown: unknown): boolean {
  if (shown === SECRET) return true;
  if (Array.isArray(shown)) return shown.some(hidesSecrets);
  return isObject(shown) && Object.values(shown).some(hidesSecrets);
}

/** Each timing as the kubelet would run it; undefined when one is unknown or malformed. */
export function effectiveTimings(probe: unknown): Record<TimingKey, number> | undefined {
  const out = { ...PROBE_DEFAULTS };
  for (const key of TIMING_KEYS) {
    const v = field(probe, key);
    if (!isPresent(v)) continue;
    if (typeof v !== "number") return undefined; // unknown during preview, or malformed: nothing to compare
    out[key] = v;
  }
  return out;
}

/** Same handler and same timings: the kubelet would run one check twice and act on it twice. */
export function sameCheck(a: unknown, b: unknown): boolean {
  const handler = handlerOf(a);
  if (!handler || handlerOf(b) !== handler) return false;
  for (const key of TIMING_KEYS) {
    const ta = effectiveTiming(a, key);
    if (ta === undefined || ta !== effectiveTiming(b, key)) return false;
  }
  const ha = field(a, handler);
  const hb = field(b, handler);
  // Key order does not matter: `{port, path}` is the same check as `{path, port}`.
  return !differsInAField(ha, hb) && isDeepStrictEqual(ha, hb);
}

/** A timing as the kubelet would run it; undefined when it is unknown or malformed. */
function effectiveTiming(probe: unknown, key: TimingKey): number | undefined {
  const v = field(probe, key);
  if (!isPresent(v)) return PROBE_DEFAULTS[key];
  return typeof v === "number" ? v : undefined;
}

/**
 * Two objects that certainly differ: one lacks a field of the other, or a field holds different
 * scalars. Most liveness and readiness handlers differ in their path, and this answers at once
 * where a full deep comparison would walk both.
 */
function differsInAField(a: unknown, b: unknown): boolean {
  if (!isObject(a) || !isObject(b)) return false;
  for (const k in a) {
    if (!Object.hasOwn(a, k)) continue;
    if (!Object.hasOwn(b, k)) return true;
    const x = a[k];
    const y = b[k];
    if (typeof x !== "object" && typeof y !== "object" && typeof x !== "function" && typeof y !== "function" && !Object.is(x, y))
      return true;
  }
  return false;
}
