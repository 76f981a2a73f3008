/** Label and field selectors, as the API server reads them from query strings. */

type Labels = Record<string, string> | undefined;

/** Splits on commas outside `in (a,b)` parentheses. */
function terms(selector: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of selector) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(current.trim());
      current = "";
    } else current += ch;
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

export function matchesLabels(selector: string | null, labels: Labels): boolean {
  if (!selector) return true;
  const l = labels ?? {};
  return terms(selector).every((term) => {
    let m: RegExpExecArray | null;
    if ((m = /^(\S+)\s+(in|notin)\s+\((.*)\)$/.exec(term))) {
      const values = m[3].split(",").map((v) => v.trim());
      const has = m[1] in l && values.includes(l[m[1]]);
      return m[2] === "in" ? has : !has;
    }
    if ((m = /^([^!=\s]+)\s*!=\s*(.*)$/.exec(term))) return l[m[1]] !== m[2];
    if ((m = /^([^!=\s]+)\s*==?\s*(.*)$/.exec(term))) return l[m[1]] === m[2];
    if (term.startsWith("!")) return !(term.slice(1) in l);
    return term in l;
  });
}

export function matchesFields(selector: string | null, obj: unknown): boolean {
  if (!selector) return true;
  return terms(selector).every((term) => {
    const m = /^([^!=]+)(!=|==|=)(.*)$/.exec(term);
    if (!m) return false;
    const actual = m[1]
      .split(".")
      .reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), obj);
    const equal = String(actual ?? "") === m[3];
    return m[2] === "!=" ? !equal : equal;
  });
}
