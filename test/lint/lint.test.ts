import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../cli/lint";
import { type InputError, MAX_FILE_BYTES, parseManifests } from "../../cli/manifests";
import { fakeIO } from "../support/io";

const ROOT = path.join(__dirname, "..", "..");
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "crashguard-lint-"));
function write(dir: string, name: string, text: string | Buffer): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

const GOOD = `apiVersion: apps/v1
kind: Deployment
metadata: { name: good, namespace: shop }
spec:
  template:
    spec:
      containers:
        - name: app
          image: app:1
          ports: [{ name: http, containerPort: 8080 }]
          resources:
            requests: { cpu: 100m, memory: 128Mi }
            limits: { memory: 128Mi }
          readinessProbe: { httpGet: { path: /ready, port: http } }
          livenessProbe: { httpGet: { path: /healthz, port: http } }
`;
const BAD = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: bad
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: app
          image: app:1
          resources:
            requests:
              cpu: 100m
              memory: 512MB
`;

async function run(args: string[], stdin?: string) {
  const io = fakeIO({ stdin });
  const code = await main(args, io);
  return { code, out: io.out, err: io.err, json: () => JSON.parse(io.out) };
}

describe("crashguard lint", () => {
  it("points each finding at the field's line and column, or at the object when the field is missing", async () => {
    const dir = tmp();
    const file = write(dir, "app.yaml", `${GOOD}---\n${BAD}`);
    const { code, json } = await run([file, "-o", "json"]);
    expect(code).toBe(1);
    const at = json().findings.map(
      (f: { rule: string; line: number; column: number; path: string }) => `${f.rule} ${f.line}:${f.column} ${f.path}`,
    );
    expect(at).toEqual([
      // document 2 starts on line 17; a missing field points at its nearest ancestor (resources, line 28)
      "resources-required 28:11 spec.template.spec.containers[0].resources.limits.memory",
      "resource-values-valid 31:15 spec.template.spec.containers[0].resources.requests.memory",
      "readiness-probe-required 26:11 spec.template.spec.containers[0].readinessProbe",
      "liveness-probe-required 26:11 spec.template.spec.containers[0].livenessProbe",
    ]);
    expect(fs.readFileSync(file, "utf8").split("\n")[30].slice(14)).toBe("memory: 512MB");
  });

  it("prints a short text report grouped by file, with the fix", async () => {
    const dir = tmp();
    write(dir, "bad.yaml", BAD);
    const { code, out } = await run([dir]);
    expect(code).toBe(1);
    expect(
      out.startsWith(
        `${path.relative(process.cwd(), path.join(dir, "bad.yaml"))}\n  12:11   error    resources-required        Deployment shop/bad [app]\n`,
      ),
    ).toBe(true);
    expect(out).toContain("\n  15:15   error    resource-values-valid     Deployment shop/bad [app]\n");
    expect(out).toContain('write "512Mi"');
    expect(out).toContain("fix:");
    expect(out.trim().split("\n").pop()).toBe("3 errors, 1 warning in 1 workload (1 file)");
  });

  it("reads JSON, Lists and stdin, and walks directories for manifests only", async () => {
    const dir = tmp();
    write(
      dir,
      "nested/list.json",
      JSON.stringify(
        {
          apiVersion: "v1",
          kind: "List",
          items: [{ kind: "Job", metadata: { name: "j" }, spec: { template: { spec: { containers: [{ name: "c", image: "x:1" }] } } } }],
        },
        null,
        2,
      ),
    );
    write(dir, "notes.txt", BAD);
    const fromDir = await run([dir, "-o", "json"]);
    expect(fromDir.json().findings.map((f: { resource: string; line: number }) => `${f.resource} @${f.line}`)).toEqual(["Job j @14"]); // the container object, which has no resources
    expect(fromDir.json().summary.files).toBe(1);
    const fromStdin = await run(["-", "-o", "json"], BAD);
    expect(fromStdin.json().findings[0].file).toBe("<stdin>");
  });

  it("uses the pack's config file: levels, options, namespaces", async () => {
    const dir = tmp();
    const file = write(dir, "bad.yaml", BAD);
    const config = write(
      dir,
      "policy.json",
      JSON.stringify({
        "resources-required": "disabled",
        "resource-values-valid": "advisory",
        "liveness-probe-required": { enforcementLevel: "mandatory", excludeNamespaces: ["shop"] },
      }),
    );
    const { code, json } = await run([file, "--policy-pack-config", config, "-o", "json"]);
    expect(json().findings.map((f: { rule: string; level: string }) => `${f.rule}:${f.level}`)).toEqual([
      "resource-values-valid:advisory",
      "readiness-probe-required:mandatory",
    ]);
    expect(code).toBe(1);
    const bad = write(dir, "broken.json", '{"probe-sanity": "strict"}');
    const refused = await run([file, "--policy-pack-config", bad]);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('"probe-sanity" has enforcement level "strict"; use one of advisory, mandatory, remediate, disabled');
  });

  it("honours exemption annotations, as the pack does", async () => {
    const exempt = BAD.replace(
      "  namespace: shop\n",
      '  namespace: shop\n  annotations:\n    crashguard.dev/exempt: "readiness-probe-required,liveness-probe-required: batch consumer, no port"\n',
    );
    const { json } = await run(["-", "-o", "json"], exempt);
    expect(json().findings.map((f: { rule: string }) => f.rule)).toEqual(["resources-required", "resource-values-valid"]);
  });

  it("writes SARIF 2.1.0 for code scanning", async () => {
    const dir = tmp();
    write(dir, "bad.yaml", BAD);
    const { code, json } = await run([path.join(dir, "bad.yaml"), "-o", "sarif"]);
    expect(code).toBe(1);
    const sarif = json();
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.$schema).toContain("sarif-2.1.0");
    const run0 = sarif.runs[0];
    expect(run0.tool.driver.name).toBe("crashguard");
    expect(run0.tool.driver.rules.map((r: { id: string }) => r.id)).toContain("resources-required");
    const result = run0.results.find((r: { ruleId: string }) => r.ruleId === "resource-values-valid");
    expect(result).toMatchObject({ level: "error", locations: [{ physicalLocation: { region: { startLine: 15, startColumn: 15 } } }] });
    expect(result.locations[0].physicalLocation.artifactLocation.uri).toMatch(/bad\.yaml$/);
    expect(run0.results.find((r: { ruleId: string }) => r.ruleId === "liveness-probe-required").level).toBe("warning");
  });

  it("reports each unreadable document and still lints the rest (exit 2 when that is all that is wrong)", async () => {
    const dir = tmp();
    write(dir, "a-mixed.yaml", `${GOOD}---\nkind: Deployment\nmetadata: { name: [unclosed\n---\n- just\n- a list\n---\n42\n---\n`);
    write(dir, "b-binary.yaml", Buffer.from([0x6b, 0x69, 0x00, 0x01, 0x02]));
    write(dir, "c-bad.yaml", BAD);
    write(dir, "d-service.yaml", "apiVersion: v1\nkind: Service\nmetadata: { name: web }\nspec: { ports: [{ port: 80 }] }\n");
    const { code, json } = await run([dir, "-o", "json"]);
    const report = json();
    expect(
      report.errors.map(
        (e: { file: string; line?: number; message: string }) => `${path.basename(e.file)}:${e.line ?? "-"} ${e.message.split(":")[0]}`,
      ),
    ).toEqual([
      "a-mixed.yaml:19 document 2 is not valid YAML", // where the parser finds the flow collection unclosed
      "a-mixed.yaml:20 document 3 is a list, not a Kubernetes object",
      "a-mixed.yaml:23 document 4 is a number, not a Kubernetes object",
      "b-binary.yaml:- binary data (NUL bytes), not YAML or JSON",
    ]);
    expect(report.findings.map((f: { resource: string }) => f.resource)).toContain("Deployment shop/bad");
    expect(code).toBe(1);
    const onlyBroken = await run([path.join(dir, "a-mixed.yaml")]);
    expect(onlyBroken.code).toBe(2);
    expect(onlyBroken.err).toContain("document 2 is not valid YAML");
    expect(onlyBroken.err).not.toMatch(/\n\s+at /);
  });

  it("names List items kubectl could not decode and lints the items it could", async () => {
    const list = `apiVersion: v1\nkind: List\nitems:\n  - null\n  - just a string\n  - metadata: { name: x }\n${GOOD.replace(/^/gm, "    ").replace(/^ {4}apiVersion/, "  - apiVersion")}`;
    const { code, err, json } = await run(["-", "-o", "json"], list);
    expect(code).toBe(2); // the good item passes; what is left is unreadable input
    expect(json().summary.workloads).toBe(1);
    expect(json().errors.map((e: { line?: number; message: string }) => `${e.line} ${e.message}`)).toEqual([
      "4 document 1 items[0] is null, not a Kubernetes object; skipped",
      '5 document 1 items[1] is the string "just a string", not a Kubernetes object; skipped',
      "6 document 1 items[2] has no kind; skipped",
    ]);
    expect(err).toBe("");
  });

  it("refuses files above the size limit without reading them", async () => {
    const dir = tmp();
    const file = path.join(dir, "huge.yaml");
    fs.writeFileSync(file, "");
    fs.truncateSync(file, MAX_FILE_BYTES + 1);
    const { code, err } = await run([file]);
    expect(code).toBe(2);
    expect(err).toContain("above the 50 MB limit");
  });

  it("exits 0 on clean manifests and 2 on bad usage", async () => {
    const dir = tmp();
    expect((await run([write(dir, "good.yaml", GOOD)])).code).toBe(0);
    expect((await run([])).code).toBe(2);
    expect((await run([path.join(dir, "missing.yaml")])).err).toContain("no such file or directory");
    expect((await run([dir, "-o", "xml"])).code).toBe(2);
  });

  it("runs as the crashguard command", () => {
    const result = spawnSync(
      process.execPath,
      [path.join(ROOT, "bin", "crashguard.js"), "lint", path.join(ROOT, "examples", "bad-app", "manifests")],
      { encoding: "utf8" },
    );
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("4 errors, 2 warnings in 6 workloads (6 files)");
    expect(execFileSync(process.execPath, [path.join(ROOT, "bin", "crashguard.js"), "lint", "--help"], { encoding: "utf8" })).toContain(
      "usage: crashguard lint",
    );
  });
});

describe("reading manifests", () => {
  it("hands over each document as soon as it is parsed, so a long stream is never held whole", () => {
    const errors: InputError[] = [];
    const text = ["kind: Pod\nmetadata: { name: first }", "kind: Pod\nmetadata: { name: second, line: 3 }", "kind: [unclosed"].join(
      "\n---\n",
    );
    const manifests = parseManifests("stream.yaml", text, errors);
    const first = manifests.next();
    expect(first.value).toMatchObject({ index: 0, object: { metadata: { name: "first" } } });
    expect(first.value!.position("metadata.name")).toEqual({ line: 2, column: 13 });
    expect(errors).toEqual([]); // the broken third document is not parsed yet
    expect([...manifests].map((m) => m.index)).toEqual([1]);
    expect(errors).toEqual([
      { file: "stream.yaml", line: 7, message: expect.stringMatching(/^document 3 is not valid YAML: .* at line 7, column \d+$/) },
    ]);
  });
});
