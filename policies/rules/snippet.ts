/**
 * A fix's YAML text, as `yaml`'s `stringify(value, replacer, { lineWidth: 0 })` renders it.
 *
 * Fixes are small block maps and lists of short scalars, and each violation the pack reports
 * carries one: building a `yaml` Document per fix cost more than checking the whole workload. So
 * the block layout of plain maps and lists is written here, and every scalar's text (plain or
 * quoted) is still the library's, rendered once per distinct value. Anything else (multi-line or
 * very long strings, document markers, objects met twice, which `yaml` would anchor, non-plain
 * objects) goes to the library whole. test/rules/snippet.test.ts holds the two to the same text.
 */
import { stringify } from "yaml";

export type Replacer = (value: unknown) => unknown;

interface Rendering {
  replace: Replacer;
  text: string;
  /** Collections laid out so far: the library anchors one met twice. */
  seen: object[] | Set<object>;
}

export function yamlText(value: unknown, replace: Replacer): string {
  const r: Rendering = { replace, text: "", seen: [] };
  if (layout(replace(value), "", "", r)) return r.text;
  return stringify(value, (_key, v) => replace(v), { lineWidth: 0 }).trimEnd();
}

const strings = new Map<string, string | null>();
const MAX_STRINGS = 4096; // fixes repeat the same few values; a bound keeps odd input from growing it
const MAX_PLAIN_LENGTH = 200; // far below the 1,024 characters past which a key becomes an explicit `? key`

/** A scalar's text on one line, as the library writes it anywhere in a block collection; null if not. */
function scalarText(v: unknown): string | null {
  if (v === null) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return Number.isSafeInteger(v) && !Object.is(v, -0) ? String(v) : null;
  if (typeof v !== "string") return null;
  let text = strings.get(v);
  if (text === undefined) {
    text = v.length > MAX_PLAIN_LENGTH || v.includes("\n") || /^(%|---|\.\.\.)/.test(v) ? null : stringify(v, { lineWidth: 0 }).trimEnd();
    if (text?.includes("\n")) text = null;
    if (strings.size >= MAX_STRINGS) strings.clear();
    strings.set(v, text);
  }
  return text;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Appends the block lines of `value` (already replaced) at `indent`, its first line starting with
 * `first` instead (a list item's dash); false where the library's own rendering is needed.
 */
function layout(value: unknown, indent: string, first: string, r: Rendering): boolean {
  if (Array.isArray(value)) {
    if (!firstMeeting(r, value)) return false;
    if (value.length === 0) return push(r, `${first}[]`);
    const nested = `${indent}  `;
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) return false;
      // A list item: `- item`, a nested collection starting on the dash's line.
      const dash = `${i === 0 ? first : indent}- `;
      const v = r.replace(value[i]);
      if (isCollection(v) && !isEmptyCollection(v)) {
        if (!layout(v, nested, dash, r)) return false;
      } else if (!scalarLine(v, dash, r)) return false;
    }
    return true;
  }
  if (isPlainObject(value)) {
    if (!firstMeeting(r, value)) return false;
    const nested = `${indent}  `;
    let keys = 0;
    for (const k in value) {
      if (!Object.hasOwn(value, k) || value[k] === undefined) continue;
      const keyText = scalarText(k);
      if (keyText === null) return false;
      // A map's value: `key: value`, or `key:` above a nested collection, lists indented under their key.
      const head = `${keys++ === 0 ? first : indent}${keyText}:`;
      const v = r.replace(value[k]);
      if (isCollection(v) && !isEmptyCollection(v)) {
        push(r, head);
        if (!layout(v, nested, nested, r)) return false;
      } else if (!scalarLine(v, `${head} `, r)) return false;
    }
    return keys > 0 || push(r, `${first}{}`);
  }
  return scalarLine(value, first, r);
}

/** `prefix` followed by a scalar or an empty collection; false for what only the library can write. */
function scalarLine(v: unknown, prefix: string, r: Rendering): boolean {
  if (Array.isArray(v)) return push(r, `${prefix}[]`);
  if (isPlainObject(v)) return push(r, `${prefix}{}`);
  const text = scalarText(v);
  return text !== null && push(r, `${prefix}${text}`);
}

/** False for a collection laid out before. A fix holds a few, so a list serves until there are many. */
function firstMeeting(r: Rendering, value: object): boolean {
  if (r.seen instanceof Set) {
    if (r.seen.has(value)) return false;
    r.seen.add(value);
    return true;
  }
  if (r.seen.includes(value)) return false;
  r.seen.push(value);
  if (r.seen.length > MAX_LISTED) r.seen = new Set(r.seen);
  return true;
}

const MAX_LISTED = 16;

function push(r: Rendering, line: string): true {
  r.text = r.text === "" ? line : `${r.text}\n${line}`;
  return true;
}

function isCollection(v: unknown): v is unknown[] | Record<string, unknown> {
  return Array.isArray(v) || isPlainObject(v);
}

/** An empty list, or a map whose values are all undefined (the library leaves those keys out). */
function isEmptyCollection(v: unknown[] | Record<string, unknown>): boolean {
  if (Array.isArray(v)) return v.length === 0;
  for (const k in v) if (Object.hasOwn(v, k) && v[k] !== undefined) return false;
  return true;
}
