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
  lines: string[];
  seen: Set<object>;
}

export function yamlText(value: unknown, replace: Replacer): string {
  const r: Rendering = { replace, lines: [], seen: new Set() };
  if (layout(replace(value), "", r)) return r.lines.join("\n");
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
 * Appends the block lines of `value` (already replaced) at `indent`; false where the library's
 * own rendering is needed. The first line of a collection is left for the caller to prefix.
 */
function layout(value: unknown, indent: string, r: Rendering): boolean {
  const { lines, seen } = r;
  if (Array.isArray(value)) {
    if (seen.has(value)) return false;
    seen.add(value);
    if (value.length === 0) return push(lines, `${indent}[]`);
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) return false;
      if (!child(value[i], `${indent}- `, `${indent}  `, true, r)) return false;
    }
    return true;
  }
  if (isPlainObject(value)) {
    if (seen.has(value)) return false;
    seen.add(value);
    const keys = Object.keys(value).filter((k) => value[k] !== undefined);
    if (keys.length === 0) return push(lines, `${indent}{}`);
    for (const k of keys) {
      const keyText = scalarText(k);
      if (keyText === null || !child(value[k], `${indent}${keyText}: `, `${indent}  `, false, r)) return false;
    }
    return true;
  }
  const text = scalarText(value);
  return text !== null && push(lines, `${indent}${text}`);
}

function push(lines: string[], line: string): true {
  lines.push(line);
  return true;
}

/**
 * A map's value (`key: value`, or `key:` above a nested collection, lists indented under their key)
 * or a list's item (`- item`, a nested collection starting on the dash's line).
 */
function child(raw: unknown, prefix: string, nestedIndent: string, nestedOnSameLine: boolean, r: Rendering): boolean {
  const { lines } = r;
  const v = r.replace(raw);
  if (isEmptyCollection(v)) return push(lines, `${prefix}${Array.isArray(v) ? "[]" : "{}"}`);
  if (Array.isArray(v) || isPlainObject(v)) {
    if (!nestedOnSameLine) {
      lines.push(prefix.trimEnd());
      return layout(v, nestedIndent, r);
    }
    const start = lines.length;
    if (!layout(v, nestedIndent, r)) return false;
    lines[start] = prefix + lines[start].slice(nestedIndent.length);
    return true;
  }
  const text = scalarText(v);
  return text !== null && push(lines, `${prefix}${text}`);
}

function isEmptyCollection(v: unknown): boolean {
  return Array.isArray(v) ? v.length === 0 : isPlainObject(v) && Object.keys(v).every((k) => v[k] === undefined);
}
