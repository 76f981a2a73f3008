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
  const stack: Array<{ value: unknown; depth: number; path: string }> = [{ value, depth: 0, path: "" }];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const { value: v, depth, path } = stack.pop()!;
    if (v === null || typeof v !== "object" || seen.has(v)) continue;
    const proto = Object.getPrototypeOf(v);
    if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) continue;
    if (depth >= limit) return shorten(path);
    seen.add(v);
    if (Array.isArray(v)) for (let i = 0; i < v.length; i++) stack.push({ value: v[i], depth: depth + 1, path: `${path}[${i}]` });
    else for (const [k, item] of Object.entries(v)) stack.push({ value: item, depth: depth + 1, path: path ? `${path}.${k}` : k });
  }
  return undefined;
}

/** The start and end of a path thousands of segments long. */
function shorten(path: string): string {
  return path.length <= 160 ? path : `${path.slice(0, 100)}…${path.slice(-50)}`;
}
