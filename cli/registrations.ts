/**
 * Every resource a program declares must reach the engine, or `check` must say which did not.
 *
 * The Pulumi SDK serialises a resource's inputs recursively before it registers it. Inputs nested
 * a few thousand levels deep overflow the stack inside a promise callback, where V8 drops the
 * rejection ("Exception in PromiseRejectCallback"): the resource is never registered, no error
 * reaches the program, and a preview would simply not show it. So inputs deeper than any
 * Kubernetes object are refused when the resource is declared, naming the resource and the field;
 * and any declared resource that still never registers is named when the program ends.
 */

/** Kubernetes objects are a few dozen levels deep; far below where the SDK's recursion fails. */
export const MAX_INPUT_DEPTH = 500;

interface ResourceRuntime {
  registerResource: (res: unknown, parent: unknown, type: string, name: string, ...rest: unknown[]) => unknown;
}

export interface Registrations {
  /** Called for each resource the engine (the mock monitor) registers. */
  registered(type: string, name: string): void;
  /** Resources declared but never registered, as `type "name"`. */
  lost(): string[];
}

/** Wraps the SDK's `registerResource` (runtime/resource.js) to count what is declared. */
export function watchRegistrations(runtime: ResourceRuntime): Registrations {
  const pending = new Map<string, number>();
  const key = (type: string, name: string) => `${type} "${name}"`;
  const register = runtime.registerResource;
  runtime.registerResource = function (this: unknown, res, parent, type, name, ...rest) {
    const props = rest[3]; // (…, custom, remote, newDependency, props, opts, …)
    const deep = deepestPath(props, MAX_INPUT_DEPTH);
    if (deep !== undefined) {
      throw new Error(
        `${key(type, name)}: its inputs are nested more than ${MAX_INPUT_DEPTH} levels deep (at ${deep}); no Kubernetes object is, and the Pulumi SDK cannot serialise it — build the value without the runaway nesting`,
      );
    }
    pending.set(key(type, name), (pending.get(key(type, name)) ?? 0) + 1);
    return register.call(this, res, parent, type, name, ...rest);
  };
  return {
    registered(type, name) {
      const left = (pending.get(key(type, name)) ?? 0) - 1;
      if (left > 0) pending.set(key(type, name), left);
      else pending.delete(key(type, name));
    },
    lost: () => [...pending.keys()],
  };
}

/**
 * The path of the first value nested deeper than `limit` plain objects and arrays, walked without
 * recursion; undefined if there is none. Outputs, resources and other class instances are not
 * entered: the SDK resolves those itself.
 */
export function deepestPath(value: unknown, limit: number): string | undefined {
  // Each entry links to the one it was found in, so a path is spelled out only for the value reported.
  interface Entry {
    value: object;
    depth: number;
    key: string | number;
    up?: Entry;
  }
  if (!isWalked(value)) return undefined;
  const stack: Entry[] = [{ value, depth: 0, key: "" }];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const entry = stack.pop()!;
    const v = entry.value;
    if (seen.has(v)) continue;
    if (entry.depth >= limit) return shorten(pathOf(entry));
    seen.add(v);
    const depth = entry.depth + 1;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (isWalked(v[i])) stack.push({ value: v[i], depth, key: i, up: entry });
    } else {
      for (const [k, item] of Object.entries(v)) if (isWalked(item)) stack.push({ value: item, depth, key: k, up: entry });
    }
  }
  return undefined;

  function pathOf(entry: Entry): string {
    const keys: Array<string | number> = [];
    for (let e: Entry | undefined = entry; e?.up; e = e.up) keys.push(e.key);
    return keys.reverse().reduce<string>((path, k) => (typeof k === "number" ? `${path}[${k}]` : path ? `${path}.${k}` : k), "");
  }
}

/** Plain objects and arrays; Outputs, resources and other class instances are left to the SDK. */
function isWalked(v: unknown): v is object {
  if (v === null || typeof v !== "object") return false;
  if (Array.isArray(v)) return true;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** The start and end of a path thousands of segments long. */
function shorten(path: string): string {
  return path.length <= 160 ? path : `${path.slice(0, 100)}…${path.slice(-50)}`;
}
