/**
 * Safe readers for untrusted objects. Everything the rules read goes through these, which is
 * what lets the rule core promise never to throw: no prototype keys, no getters, no surprises
 * from arrays posing as objects.
 */

export type Obj = Record<string, unknown>;

export function isObject(v: unknown): v is Obj {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** An own property, never one inherited from Object.prototype ("constructor", "__proto__", …). */
export function field(obj: unknown, key: string): unknown {
  return isObject(obj) && Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** Pulumi's wire sentinels for values not known until the update runs (the same strings the engine sends). */
const UNKNOWN_SENTINELS = new Set([
  "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

const SENTINEL_LENGTH = 36;

/** A value Pulumi cannot know during preview: rules neither pass nor fail on it. */
export function isUnknown(v: unknown): boolean {
  // Every sentinel is a UUID: the length test spares hashing each string the rules read.
  return typeof v === "string" && v.length === SENTINEL_LENGTH && UNKNOWN_SENTINELS.has(v);
}

/** Drops keys set to `undefined`, so `{ ...defaults, ...given }` keeps the default for them. */
export function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * `{ ...defaults, ...config }[key]` without building the merged object on every call: the
 * configured value wherever the configuration sets the key (even to undefined), else the default.
 */
export function setting<C extends object, K extends keyof C>(config: C, key: K, fallback: C[K]): C[K] {
  return Object.prototype.propertyIsEnumerable.call(config, key) ? config[key] : fallback;
}

/** Present means set to something other than null (a `livenessProbe:` with a null value is no probe). */
export function isPresent(v: unknown): boolean {
  return v !== undefined && v !== null;
}

export function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v)}`;
  return `${typeof v} ${String(v)}`;
}

/** `a.b` / `a[0]` path joining, so every finding can point at a field. */
export function join(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  if (!IDENTIFIER.test(key)) return path ? `${path}[${JSON.stringify(key)}]` : JSON.stringify(key);
  return path ? `${path}.${key}` : key;
}

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;
