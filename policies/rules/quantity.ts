/**
 * Kubernetes resource quantities, parsed by the grammar of `k8s.io/apimachinery/pkg/api/resource`:
 *
 *   quantity  ::= [sign] digits [ "." [digits] ] | [sign] "." digits   followed by a suffix
 *   suffix    ::= Ki | Mi | Gi | Ti | Pi | Ei | n | u | m | "" | k | M | G | T | P | E | (e|E) [sign] digits
 *
 * Values are held exactly, as a bigint count of nano-units, the finest precision Kubernetes keeps
 * (it rounds anything finer up, away from zero) — so "1Gi" vs "1073741824" or "500m" vs "0.5"
 * compare with no floating-point drift. Like upstream, binary-suffixed magnitudes saturate at
 * 2^63-1 units; decimal exponents beyond ±1000 are refused rather than expanded.
 */
import { describeValue } from "./read";

export interface Quantity {
  /** The value in nano-units (1 = 1e-9): "500m" → 500_000_000n. */
  nanos: bigint;
  text: string;
}

/** A failure may carry a `correction` where the mistake is plain ("512MB" → "512Mi"). */
export type ParseResult = { ok: true; quantity: Quantity } | { ok: false; error: string; correction?: string };

const NANOS_PER_UNIT = 1_000_000_000n;
const MAX_NANOS = (2n ** 63n - 1n) * NANOS_PER_UNIT;

const BINARY_SUFFIXES: Record<string, bigint> = {
  Ki: 2n ** 10n,
  Mi: 2n ** 20n,
  Gi: 2n ** 30n,
  Ti: 2n ** 40n,
  Pi: 2n ** 50n,
  Ei: 2n ** 60n,
};
const DECIMAL_SUFFIXES: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  "": 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

// sign, integer digits, optional fraction, then whatever suffix remains.
const NUMBER = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(.*)$/;
const EXPONENT = /^[eE]([+-]?[0-9]+)$/;

/** Decimal exponents beyond this are refused: no real resource needs them, and they would build huge bigints. */
const EXPONENT_BOUND = 1000;

// Workloads repeat the same few quantities ("250m", "256Mi"), and each is read by several rules.
const parsed = new Map<string, ParseResult>();
const MAX_REMEMBERED = 4096;

/** A quantity as the API server reads it; the result is shared, so it is frozen. */
export function parseQuantity(input: unknown): ParseResult {
  if (typeof input !== "string") return parse(input);
  let result = parsed.get(input);
  if (result === undefined) {
    result = deepFreeze(parse(input));
    if (parsed.size >= MAX_REMEMBERED) parsed.clear();
    parsed.set(input, result);
  }
  return result;
}

function deepFreeze(result: ParseResult): ParseResult {
  if (result.ok) Object.freeze(result.quantity);
  return Object.freeze(result);
}

function parse(input: unknown): ParseResult {
  if (typeof input === "number") {
    if (!Number.isFinite(input)) return { ok: false, error: `${input} is not a finite number` };
    return parseQuantity(numberToText(input));
  }
  if (typeof input !== "string") return { ok: false, error: `expected a quantity string such as "256Mi", got ${describeValue(input)}` };
  if (input === "") return { ok: false, error: `empty quantity; write a value such as "256Mi" or "250m"` };
  const m = NUMBER.exec(input);
  if (!m) return invalid(input);
  const [, sign, whole, fraction = "", suffix] = m;
  if (whole === "" && fraction === "") return invalid(input);
  // Upstream accepts "1." and ".5"; a second dot or anything else lands in the suffix and fails there.
  const mantissa = BigInt((whole || "0") + fraction);
  let exp10 = -fraction.length;
  let multiplier = 1n;
  if (Object.hasOwn(BINARY_SUFFIXES, suffix)) {
    multiplier = BINARY_SUFFIXES[suffix];
  } else if (Object.hasOwn(DECIMAL_SUFFIXES, suffix)) {
    exp10 += DECIMAL_SUFFIXES[suffix];
  } else {
    const e = EXPONENT.exec(suffix);
    if (!e) return invalid(input, suffix);
    exp10 += Number(e[1]);
  }
  if (Math.abs(exp10) > EXPONENT_BOUND)
    return { ok: false, error: `"${input}" has an exponent beyond ±${EXPONENT_BOUND}; no resource is that large or that small` };
  const negative = sign === "-";
  let nanos = toNanos(mantissa * multiplier, exp10 + 9);
  if (multiplier !== 1n && nanos > MAX_NANOS) nanos = MAX_NANOS;
  return { ok: true, quantity: { nanos: negative ? -nanos : nanos, text: input } };
}

/** `value × 10^exp`, rounded up (away from zero) to a whole number; value ≥ 0. */
function toNanos(value: bigint, exp: number): bigint {
  if (value === 0n) return 0n;
  if (exp >= 0) return value * 10n ** BigInt(exp);
  const divisor = 10n ** BigInt(-exp);
  const q = value / divisor;
  return value % divisor === 0n ? q : q + 1n;
}

export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 {
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
}

/** The exact ratio a/b as a number, for ratio limits (b must be non-zero). */
export function quantityRatio(a: Quantity, b: Quantity): number {
  // Scale to keep six significant decimals exact before the one lossy conversion.
  return Number((a.nanos * 1_000_000n) / b.nanos) / 1_000_000;
}

function numberToText(n: number): string {
  // JSON numbers such as 1e21 or 0.5 keep their exact decimal digits when printed this way.
  return Number.isInteger(n) && Math.abs(n) < 1e21 ? BigInt(n).toString() : String(n);
}

function invalid(input: string, suffix?: string): ParseResult {
  // "512MB" is the most common mistake: Kubernetes has no byte unit, and people mean mebibytes.
  const bytes = /^([0-9]+(?:\.[0-9]+)?)([KMGTPE])i?B$/i.exec(input);
  const correction = bytes ? `${bytes[1]}${bytes[2].toUpperCase()}i` : undefined;
  const hint = correction ? ` — Kubernetes has no "B" suffix; write "${correction}"` : suffix ? ` (unknown suffix "${suffix}")` : "";
  return {
    ok: false,
    error: `"${input}" is not a Kubernetes quantity${hint}; use a number with an optional suffix: Ki Mi Gi Ti (binary), m k M G T (decimal) or an exponent such as 1e3`,
    correction,
  };
}
