/**
 * Where a field path lies in JSON text, without building a syntax tree: `JSON.parse` reads the
 * values, and this finds the offsets of the few fields a finding names. Each object or array is
 * scanned once, the first time a path goes through it, so the cost of all positions together
 * stays linear in the text. Positions follow the YAML model's (cli/manifests.ts): a field's key,
 * an array element's first character, or the nearest existing ancestor of a missing field.
 */

interface Member {
  key: number;
  value: number;
}

export class JsonPositions {
  private readonly objects = new Map<number, Map<string, Member>>();
  private readonly arrays = new Map<number, number[]>();

  constructor(private readonly text: string) {}

  /** Offset of the path's key or element, or of its nearest existing ancestor. */
  offsetOf(path: Array<string | number>): number {
    let value = this.skipSpace(0);
    let at = value;
    for (const key of path) {
      const open = this.text[value];
      if (open === "{" && typeof key === "string") {
        const member = this.members(value).get(key);
        if (!member) break;
        at = member.key;
        value = member.value;
      } else if (open === "[" && typeof key === "number") {
        const elements = this.elements(value);
        if (key >= elements.length) break;
        at = value = elements[key];
      } else break;
    }
    return at;
  }

  /** Each key's offset and its value's, the first of duplicate keys as a YAML map finds it. */
  private members(start: number): Map<string, Member> {
    let members = this.objects.get(start);
    if (members) return members;
    members = new Map();
    let i = this.skipSpace(start + 1);
    while (this.text[i] === '"') {
      const keyEnd = this.stringEnd(i);
      const raw = this.text.slice(i + 1, keyEnd - 1);
      const key: string = raw.includes("\\") ? JSON.parse(this.text.slice(i, keyEnd)) : raw;
      const value = this.skipSpace(this.skipSpace(keyEnd) + 1); // past the colon
      if (!members.has(key)) members.set(key, { key: i, value });
      i = this.skipSpace(this.valueEnd(value));
      if (this.text[i] === ",") i = this.skipSpace(i + 1);
    }
    this.objects.set(start, members);
    return members;
  }

  private elements(start: number): number[] {
    let elements = this.arrays.get(start);
    if (elements) return elements;
    elements = [];
    let i = this.skipSpace(start + 1);
    while (i < this.text.length && this.text[i] !== "]") {
      elements.push(i);
      i = this.skipSpace(this.valueEnd(i));
      if (this.text[i] === ",") i = this.skipSpace(i + 1);
    }
    this.arrays.set(start, elements);
    return elements;
  }

  /** The offset just past the value starting at `i`: nesting is counted, not recursed into. */
  private valueEnd(i: number): number {
    const first = this.text[i];
    if (first === '"') return this.stringEnd(i);
    if (first !== "{" && first !== "[") {
      while (i < this.text.length && !",}] \t\r\n".includes(this.text[i])) i++;
      return i;
    }
    let depth = 0;
    while (i < this.text.length) {
      const c = this.text[i];
      if (c === '"') {
        i = this.stringEnd(i);
        continue;
      }
      if (c === "{" || c === "[") depth++;
      else if ((c === "}" || c === "]") && --depth === 0) return i + 1;
      i++;
    }
    return i;
  }

  /** The offset just past the string whose opening quote is at `i`. */
  private stringEnd(i: number): number {
    let end = this.text.indexOf('"', i + 1);
    while (end !== -1) {
      let backslashes = 0;
      while (this.text[end - 1 - backslashes] === "\\") backslashes++;
      if (backslashes % 2 === 0) return end + 1;
      end = this.text.indexOf('"', end + 1);
    }
    return this.text.length;
  }

  private skipSpace(i: number): number {
    while (i < this.text.length && " \t\r\n".includes(this.text[i])) i++;
    return i;
  }
}
