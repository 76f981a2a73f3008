/**
 * Defensive reads of API objects. A watch or a `kubectl get -o json` dump is untrusted input: a
 * field the schema calls an array may arrive as an object, a message as a number. Every reader
 * here returns the expected shape or nothing, so the diagnosis never throws on what it is given.
 */

/** Narrows a declared object type to itself (and `unknown` to a record) once the value really is an object. */
export function isRecord<T>(
  value: T,
): value is Exclude<T, null | undefined | string | number | boolean | bigint | symbol | readonly unknown[]> & Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The array's object items, or [] for anything that is not an array. */
export function records<T>(value: unknown): T[] {
  if (!Array.isArray(value)) return [];
  // A loop, not filter: filter would call a "constructor" key an array built from untrusted data may carry.
  const out: T[] = [];
  for (let i = 0; i < value.length; i++) if (isRecord(value[i])) out.push(value[i] as T);
  return out;
}

/** Strings as they are, numbers and booleans as their text; anything else is absent. */
export function text(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  return typeof value === "number" || typeof value === "boolean" ? String(value) : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** Milliseconds since the epoch of an RFC 3339 timestamp, or undefined if it is not one. */
export function timeOf(value: unknown): number | undefined {
  const s = text(value);
  const t = s ? Date.parse(s) : NaN;
  return Number.isFinite(t) ? t : undefined;
}
