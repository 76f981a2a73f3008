/** Real manifests with one field replaced by something hostile: the adversary's mutants. */
import * as fc from "fast-check";
import { ruleFixtures } from "../support/fixtures";

/** A value that must never be printed: an env value, as a password would sit in a manifest. */
export const SECRET = "hunter2-DB-PASSWORD-never-print";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const PROTOTYPE_KEYS = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"];
const ESCAPES = ["\x1b[2J", "\x1b]0;pwned\x07", "\x1b]8;;https://evil.example\x1b\\x\x1b]8;;\x1b\\", "\x9b1A", "\r", "\u202e", "\x00"];

const hostileScalar = fc.oneof(
  fc.constantFrom<unknown>(null, 0, -1, -5, 1e308, Number.MAX_SAFE_INTEGER, true, "", "512MB", "1.5.5", "-1", UNKNOWN, ...PROTOTYPE_KEYS),
  fc.constantFrom(...ESCAPES).map((e) => `name${e}`),
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double(),
);

const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    hostileScalar,
    fc.dictionary(
      fc.oneof(
        fc.constantFrom(...PROTOTYPE_KEYS, "containers", "resources", "limits", "livenessProbe", "httpGet", "port", "kind", "items"),
        fc.string({ maxLength: 8 }),
      ),
      tie("value"),
      { maxKeys: 4 },
    ),
    fc.array(tie("value"), { maxLength: 4 }),
  ),
})).value;

/** Every real manifest of the rule fixtures, with a secret env value in each container. */
const bases: Record<string, unknown>[] = ruleFixtures()
  .flatMap((f) => f.objects)
  .filter((o): o is Record<string, unknown> => o !== null && typeof o === "object")
  .map((o) => withSecret(structuredClone(o)));

function withSecret(obj: Record<string, unknown>): Record<string, unknown> {
  const spec = (obj.spec as { template?: { spec?: { containers?: unknown[] } }; containers?: unknown[] } | undefined) ?? {};
  const containers = spec.template?.spec?.containers ?? spec.containers;
  if (Array.isArray(containers))
    for (const c of containers)
      if (c && typeof c === "object") (c as Record<string, unknown>).env = [{ name: "DB_PASSWORD", value: SECRET }];
  return obj;
}

/** Replaces the value at a path picked by `steps` (each picks a child by index, modulo the count). */
function mutate(base: unknown, steps: number[], replacement: unknown, key: string | undefined): unknown {
  const root = structuredClone(base);
  let node: unknown = root;
  for (const [i, step] of steps.entries()) {
    if (node === null || typeof node !== "object") break;
    const keys = Object.keys(node);
    if (keys.length === 0) break;
    const k = keys[step % keys.length];
    const child = (node as Record<string, unknown>)[k];
    if (i === steps.length - 1 || child === null || typeof child !== "object") {
      // Own property, defined so that "__proto__" becomes a key, not a prototype.
      Object.defineProperty(node, key ?? k, { value: replacement, enumerable: true, writable: true, configurable: true });
      break;
    }
    node = child;
  }
  return root;
}

/** Copies of `objects`, each with one field anywhere replaced by a hostile value (or a prototype key added). */
export function mutantsOf(objects: unknown[]): fc.Arbitrary<unknown> {
  return fc
    .tuple(
      fc.constantFrom(...objects),
      fc.array(fc.nat(), { minLength: 1, maxLength: 10 }),
      hostileValue,
      fc.option(fc.constantFrom(...PROTOTYPE_KEYS), { nil: undefined, freq: 4 }),
    )
    .map(([base, steps, value, key]) => mutate(base, steps, value, key));
}

export const mutant: fc.Arbitrary<unknown> = mutantsOf(bases);
