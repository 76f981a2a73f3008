/**
 * A module loaded the first time it is used rather than when it is required.
 *
 * @pulumi/pulumi requires @npmcli/arborist when it starts, and with it some 800 modules (pacote,
 * sigstore, semver…), for one use: finding the packages a serialised function needs
 * (`computeCodePaths`, https://github.com/pulumi/pulumi/blob/master/sdk/nodejs/runtime/closure/codePaths.ts),
 * which only dynamic providers and function serialisation reach. Loading it costs a program under
 * `check` about 0.4 CPU-s and 20 MB before its first line runs. TypeScript's compiler (through
 * `typescript-shim`, for parsing serialised functions) is the same case: ~48 MB for a JavaScript
 * program. Deferred, a program that needs either still gets it, on first use.
 */
import Module, { createRequire } from "node:module";

/**
 * Puts a stand-in for `id`, as the module at `requiredBy()` resolves it, in the require cache: the
 * first property read through it loads the real module in its place. It answers `__esModule`
 * itself, so TypeScript's `import * as` (`__importStar`) takes the stand-in as it is instead of
 * copying, and so loading, every export. Does nothing where either does not resolve (another SDK
 * version: it then loads as it always did) or `id` is already loaded.
 */
export function deferLoading(requiredBy: () => string, id: string): void {
  let from: NodeJS.Require;
  let file: string;
  try {
    from = createRequire(requiredBy());
    file = from.resolve(id);
  } catch {
    return;
  }
  if (require.cache[file]) return;
  let real: Record<PropertyKey, unknown> | undefined;
  const load = (): Record<PropertyKey, unknown> => {
    if (!real) {
      delete require.cache[file];
      real = from(id) as Record<PropertyKey, unknown>;
    }
    return real;
  };
  const standIn = new Module(file);
  standIn.filename = file;
  standIn.loaded = true;
  standIn.exports = new Proxy(
    {},
    {
      get: (_target, key) => (key === "__esModule" ? true : load()[key]),
      has: (_target, key) => key in load(),
      ownKeys: () => Reflect.ownKeys(load()),
      getOwnPropertyDescriptor: (_target, key) => {
        const descriptor = Reflect.getOwnPropertyDescriptor(load(), key);
        return descriptor && { ...descriptor, configurable: true };
      },
    },
  );
  require.cache[file] = standIn;
}
