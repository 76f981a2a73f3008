/**
 * A resource the program declares is either previewed or named: the Pulumi SDK loses a resource
 * whose inputs overflow its serialisation, so `check` refuses such inputs up front and names any
 * declared resource that still never registers.
 */
import * as path from "node:path";
import { main } from "../../cli/check";
import { MAX_INPUT_DEPTH, deepestPath, watchRegistrations } from "../../cli/registrations";
import { FIXTURES } from "../support/fixtures";
import { fakeIO } from "../support/io";

function nested(depth: number): Record<string, unknown> {
  let v: Record<string, unknown> = { leaf: "x" };
  for (let i = 0; i < depth; i++) v = { n: v };
  return v;
}

test("a Deployment nested 3,000 levels deep is named with its field, not silently dropped (exit 2)", async () => {
  const io = fakeIO();
  expect(await main([path.join(FIXTURES, "check", "deep-inputs")], io)).toBe(2);
  expect(io.err).toContain('kubernetes:apps/v1:Deployment "deep"');
  expect(io.err).toContain("spec.template.spec.containers[0].deep.n.n");
  expect(io.err).toContain(`more than ${MAX_INPUT_DEPTH} levels deep`);
  expect(io.out).not.toContain("no mandatory violations");
});

describe("deepestPath", () => {
  test("finds the first value past the limit without recursing (100,000 levels)", () => {
    expect(deepestPath(nested(100_000), 500)).toMatch(/^(n\.)+n?…(\.n)+$/);
    expect(deepestPath({ spec: { containers: [nested(10)] } }, 500)).toBeUndefined();
  });

  test("does not enter class instances (Outputs, resources) and survives cycles", () => {
    class Output {
      inner = nested(1000);
    }
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(deepestPath({ value: new Output(), cyclic }, 500)).toBeUndefined();
  });
});

describe("watchRegistrations", () => {
  const runtime = () => {
    const calls: string[] = [];
    return {
      calls,
      registerResource: (_res: unknown, _parent: unknown, type: string, name: string, ..._rest: unknown[]) => {
        calls.push(`${type}/${name}`);
      },
    };
  };

  test("names what was declared and never registered, counting same-named resources apart", () => {
    const sdk = runtime();
    const registrations = watchRegistrations(sdk);
    const declare = (type: string, name: string) => sdk.registerResource({}, undefined, type, name, true, false, () => {}, {}, {});
    declare("kubernetes:core/v1:Service", "web");
    declare("kubernetes:core/v1:Service", "web");
    declare("kubernetes:apps/v1:Deployment", "web");
    expect(sdk.calls).toHaveLength(3);
    registrations.registered("kubernetes:core/v1:Service", "web");
    registrations.registered("kubernetes:apps/v1:Deployment", "web");
    expect(registrations.lost()).toEqual(['kubernetes:core/v1:Service "web"']);
    registrations.registered("kubernetes:core/v1:Service", "web");
    expect(registrations.lost()).toEqual([]);
  });

  test("refuses inputs nested past the limit when the resource is declared", () => {
    const sdk = runtime();
    watchRegistrations(sdk);
    expect(() =>
      sdk.registerResource({}, undefined, "kubernetes:apps/v1:Deployment", "deep", true, false, () => {}, { spec: nested(600) }, {}),
    ).toThrow(/Deployment "deep": its inputs are nested more than 500 levels deep \(at spec\.n\.n/);
    expect(sdk.calls).toEqual([]);
  });
});
