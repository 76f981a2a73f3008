/**
 * A fix's YAML is laid out by policies/rules/snippet.ts for speed, so it must be exactly the text
 * the `yaml` library writes for the same value — for every value, including those it hands back
 * to the library (quoting, multi-line strings, objects met twice, document markers).
 */
import fc from "fast-check";
import { stringify } from "yaml";
import { yamlText } from "../../policies/rules/snippet";

const library = (value: unknown, replace: (v: unknown) => unknown) => stringify(value, (_key, v) => replace(v), { lineWidth: 0 }).trimEnd();
const identity = (v: unknown) => v;

// Strings a fix can hold, and those that make YAML quote, fold or change style.
const tricky = fc.constantFrom(
  "",
  " ",
  "true",
  "false",
  "null",
  "~",
  "1",
  "1.0",
  "0x1F",
  "0o17",
  "1e3",
  ".inf",
  "-.nan",
  "yes",
  "no",
  "on",
  "250m",
  "256Mi",
  "/healthz",
  "http",
  "a: b",
  "a:b",
  "#x",
  "a #b",
  "- x",
  "-",
  "?",
  "? x",
  "'q'",
  '"d"',
  "%x",
  "---",
  "--- a",
  "...",
  "a\nb",
  "a\n",
  "\tx",
  "x ",
  "@x",
  "`x",
  "*x",
  "&x",
  "!x",
  "|x",
  ">x",
  "[x]",
  "{x}",
  "x,y",
  "é",
  "\u0007",
  "(known after apply)",
  "[secret]",
  "x".repeat(300),
  "k".repeat(1100),
);
const key = fc.oneof(
  fc.constantFrom("cpu", "memory", "requests", "httpGet", "port", "1", "true", "a b", "a: b", "<<", ""),
  fc.string({ maxLength: 8 }),
);
const scalar = fc.oneof(tricky, fc.string({ maxLength: 12 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(-0));
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalar, tie("list"), tie("map")),
  list: fc.array(fc.oneof(tie("tree"), fc.constant(undefined)), { maxLength: 4 }),
  map: fc.dictionary(key, fc.oneof(tie("tree"), fc.constant(undefined)), { maxKeys: 4 }),
}));

// Values as fixes hold them: short names, quantities, paths, ports, flags — laid out without the library.
const simple = fc.letrec((tie) => ({
  tree: fc.oneof({ depthSize: "small" }, fc.stringMatching(/^[a-z0-9/.-]{1,8}$/), fc.nat(), fc.boolean(), tie("list"), tie("map")),
  list: fc.array(tie("tree"), { maxLength: 4 }),
  map: fc.dictionary(fc.stringMatching(/^[a-zA-Z]{1,8}$/), tie("tree"), { maxKeys: 4 }),
})).tree;

describe("fix YAML", () => {
  test("is the yaml library's text for the values fixes hold", () => {
    fc.assert(
      fc.property(simple, (value) => {
        expect(yamlText(value, identity)).toBe(library(value, identity));
      }),
      { numRuns: 3000, seed: 20261126 },
    );
  });

  test("is the yaml library's text for any plain value", () => {
    fc.assert(
      fc.property(tree, (value) => {
        expect(yamlText(value, identity)).toBe(library(value, identity));
      }),
      { numRuns: 3000, seed: 20261126 },
    );
  });

  test("is the library's text where the same object appears twice (the library anchors it)", () => {
    const probe = { httpGet: { path: "/healthz", port: "http" } };
    const value = { readinessProbe: probe, livenessProbe: probe };
    expect(yamlText(value, identity)).toBe(library(value, identity));
    expect(yamlText(value, identity)).toContain("&");
  });

  test("is the library's text where an object met early appears again after many others", () => {
    const ports = Array.from({ length: 40 }, (_, i) => ({ name: `p${i}`, containerPort: 8000 + i }));
    const distinct = { ports };
    expect(yamlText(distinct, identity)).toBe(library(distinct, identity));
    expect(yamlText(distinct, identity)).not.toContain("&");
    const repeated = { ports: [...ports, ports[0]] };
    expect(yamlText(repeated, identity)).toBe(library(repeated, identity));
    expect(yamlText(repeated, identity)).toContain("&");
  });

  test("applies the replacer to every value, the root included, as the library does", () => {
    const secret = { secret: true };
    const replace = (v: unknown) => (v === secret ? "[secret]" : v === "$unknown" ? "(known after apply)" : v);
    const value = { env: [{ name: "TOKEN", value: secret }], image: "$unknown", args: [secret, "x"] };
    const text = yamlText(value, replace);
    expect(text).toBe(library(value, replace));
    expect(text).toContain('value: "[secret]"');
    expect(text).toContain("image: (known after apply)");
    expect(yamlText(secret, replace)).toBe('"[secret]"');
  });

  test("renders the resources fix a user reads as block YAML", () => {
    const fix = { resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "256Mi" } } };
    expect(yamlText(fix, identity)).toBe(
      ["resources:", "  requests:", "    cpu: 250m", "    memory: 256Mi", "  limits:", "    memory: 256Mi"].join("\n"),
    );
  });
});
