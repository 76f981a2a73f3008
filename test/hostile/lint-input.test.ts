/**
 * `crashguard lint` against hostile input and configuration: cost bounded by content, every
 * problem a finding or a named error, text and JSON agreeing on the exit code.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { run } from "../../cli/main";
import { MAX_YAML_TOKENS } from "../../cli/manifests";
import { checkObject } from "../../policies/rules";
import { MAX_CONTAINERS } from "../../policies/rules/workload";
import { fakeIO } from "../support/io";
import { RAW_CONTROL } from "./fake-api";

const BIN = join(__dirname, "..", "..", "bin", "crashguard.js");
const dir = mkdtempSync(join(tmpdir(), "crashguard-lint-hostile-"));
let n = 0;
function file(content: string | Buffer, ext = "yaml"): string {
  const path = join(dir, `f${n++}.${ext}`);
  writeFileSync(path, content);
  return path;
}

/** Runs lint in text and JSON; both must agree on the exit code, and neither may print a control character. */
async function lint(...args: string[]): Promise<{
  code: number;
  out: string;
  err: string;
  json: { findings: { rule: string; path: string; message: string; resource: string }[] } | undefined;
}> {
  const text = fakeIO({ env: { NO_COLOR: "1" } });
  const json = fakeIO({ env: { NO_COLOR: "1" } });
  const code = await run(["lint", ...args], text);
  expect(await run(["lint", ...args, "--output", "json"], json)).toBe(code);
  for (const s of [text.out, text.err, json.out, json.err]) {
    expect(s).not.toMatch(RAW_CONTROL);
    expect(s).not.toMatch(/\n\s+at /);
  }
  return { code, out: text.out, err: text.err, json: json.out ? JSON.parse(json.out) : undefined };
}

const deployment = (namespace: string, containers: unknown[]) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace },
  spec: { template: { spec: { containers } } },
});

describe("cost bounded by content", () => {
  test("50,000 containers in one Deployment: the rule core reads the first 1000 and says so, no stack overflow", () => {
    const containers = Array.from({ length: 50_000 }, (_, i) => ({ name: `c${i}`, image: "nginx" }));
    const findings = checkObject(deployment("shop", containers));
    expect(findings.filter((f) => f.rule === "spec-readable").map((f) => f.message)).toEqual([
      `spec.template.spec.containers lists 50000 containers; crashguard reads the first ${MAX_CONTAINERS} and checked none of the other ${50_000 - MAX_CONTAINERS}`,
    ]);
  });

  test("lint: too many containers is a mandatory finding, exit 1", async () => {
    // 2,000 rather than 50,000: YAML parsing, not the rules, would dominate this suite's time.
    const containers = Array.from({ length: 2_000 }, (_, i) => ({ name: `c${i}`, image: "nginx" }));
    const { code, json } = await lint(file(JSON.stringify(deployment("shop", containers)), "json"));
    expect(code).toBe(1);
    expect(json!.findings.find((f) => f.rule === "spec-readable")!.message).toMatch(
      /^spec\.template\.spec\.containers lists 2000 containers; crashguard reads the first 1000/,
    );
  });

  test("Lists nested past the limit are reported, not recursed into", async () => {
    let doc: unknown = deployment("shop", [{ name: "api", image: "nginx" }]);
    for (let i = 0; i < 12; i++) doc = { apiVersion: "v1", kind: "List", items: [doc] };
    const { code, json } = await lint(file(JSON.stringify(doc), "json"));
    expect(code).toBe(1);
    expect(json!.findings[0].message).toMatch(
      /^List at items\[0\](\.items\[0\]){8} is nested more than 8 Lists deep and was not read; flatten the List$/,
    );
  });

  test("reading stops at the YAML token budget with a named error; the documents before it are linted", async () => {
    const items = Array.from({ length: Math.ceil(MAX_YAML_TOKENS / 8) }, (_, i) => `  - {a: ${i}, b: ${i}}`);
    const first = stringify(deployment("shop", [{ name: "api", image: "nginx:1.27" }]));
    // Text output only: lexing up to the budget is the slowest thing in this suite, and once proves it.
    const io = fakeIO();
    expect(await run(["lint", file(`${first}---\nkind: List\nitems:\n${items.join("\n")}\n`)], io)).toBe(1);
    expect(io.out).toContain("resources-required");
    expect(io.err).toMatch(
      /:\d+: holds more than 2,000,000 YAML tokens, more than crashguard reads in one file; split it \(e\.g\. one file per namespace\)\. Document 2 \(read up to line \d+\) and the rest were not linted\n$/,
    );
  });
});

describe("input kubectl reads", () => {
  const merged = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: api
          image: nginx:1.27
          ports: [{containerPort: 8080}]
          resources:
            <<: {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 256Mi}}
          readinessProbe: {httpGet: {path: /ready, port: 8080}}
          livenessProbe: {httpGet: {path: /live, port: 8080}, initialDelaySeconds: 30}
`;

  test("YAML merge keys are applied, as kubectl applies them: no false missing-resources finding", async () => {
    const { code, json } = await lint(file(merged));
    expect(json!.findings.filter((f) => f.rule === "resources-required")).toEqual([]);
    expect(code).toBe(0);
  });

  test.each([
    ["UTF-16LE with BOM", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(merged, "utf16le")])],
    ["UTF-16BE with BOM", Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(merged, "utf16le").swap16()])],
    ["UTF-16LE without BOM", Buffer.from(merged, "utf16le")],
    ["UTF-8 with BOM", Buffer.from("\ufeff" + merged)],
  ])("%s is decoded and linted", async (_name, bytes) => {
    expect((await lint(file(bytes))).code).toBe(0);
  });

  test("stdin is decoded as files are: UTF-16 with a BOM, as PowerShell pipes it", () => {
    for (const bytes of [
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(merged, "utf16le")]),
      Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(merged, "utf16le").swap16()]),
    ]) {
      const result = spawnSync(process.execPath, [BIN, "lint", "-"], { input: bytes, encoding: "utf8" });
      expect(result.stderr).toBe("");
      expect(result.stdout).toBe("0 errors, 0 warnings in 1 workload (1 file)\n");
      expect(result.status).toBe(0);
    }
  });

  test("real binary data is still refused", async () => {
    const { code, err } = await lint(file(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 0, 1, 2, 3])));
    expect(code).toBe(2);
    expect(err).toMatch(/binary data \(NUL bytes\)/);
  });
});

describe("--policy-pack-config validated against the pack's own schemas", () => {
  const bad = deployment("shop", [{ name: "api", image: "nginx:1.27" }]);
  const manifest = file(stringify(bad));
  const config = (value: unknown) => file(JSON.stringify(value), "json");

  test.each([
    [
      "a string for excludeNamespaces",
      { "resources-required": { excludeNamespaces: "workshop" } },
      '"resources-required".excludeNamespaces must be an array, but is the string "workshop"',
    ],
    [
      "a number for excludeNamespaces",
      { "resources-required": { excludeNamespaces: 5 } },
      '"resources-required".excludeNamespaces must be an array, but is number 5',
    ],
    [
      "a negative minStartupSeconds",
      { "probe-sanity": { minStartupSeconds: -5 } },
      '"probe-sanity".minStartupSeconds is number -5; it must be >= 0',
    ],
    [
      "512MB as a memory limit",
      { "resources-required": { defaults: { memoryLimit: "512MB" } } },
      '"resources-required".defaults.memoryLimit is the string "512MB", not a Kubernetes quantity; write "512Mi"',
    ],
    [
      "a misspelt policy",
      { "probe-sanitty": "mandatory" },
      'there is no policy "probe-sanitty" in the crashguard pack; policies: all, spec-readable,',
    ],
    [
      "a misspelt option",
      { "probe-sanity": { requireDeclaredPorts: false } },
      '"probe-sanity" has no option "requireDeclaredPorts"; options: excludeNamespaces, minStartupSeconds, requireDeclaredPort,',
    ],
    ["a prototype key as policy", JSON.parse('{"__proto__": {"enforcementLevel": "disabled"}}'), 'there is no policy "__proto__"'],
    ["a bad level", { all: "strict" }, '"all" has enforcement level "strict"; use one of advisory, mandatory, remediate, disabled'],
  ])("%s is exit 2 naming the policy and field", async (_name, value, message) => {
    const { code, err } = await lint(manifest, "--policy-pack-config", config(value));
    expect(code).toBe(2);
    expect(err).toContain(message);
  });

  test("excludeNamespaces matches exact names: excluding workshop does not exempt shop", async () => {
    const { code, json } = await lint(
      manifest,
      "--policy-pack-config",
      config({ "resources-required": { excludeNamespaces: ["workshop"] } }),
    );
    expect(json!.findings.some((f) => f.rule === "resources-required")).toBe(true);
    expect(code).toBe(1);
    const exempt = await lint(
      manifest,
      "--policy-pack-config",
      config({ all: "mandatory", "resources-required": { excludeNamespaces: ["shop"] } }),
    );
    expect(exempt.json!.findings.some((f) => f.rule === "resources-required")).toBe(false);
  });
});
