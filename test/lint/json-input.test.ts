/**
 * JSON manifests (`kubectl get -o json` dumps) are read with JSON.parse, not the YAML model, and
 * a finding's line and column are the same as the YAML reader gives for the same text.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { lintFiles, main } from "../../cli/lint";
import { MAX_YAML_TOKENS } from "../../cli/manifests";
import { ruleSettings } from "../../cli/policy-config";
import { fakeIO } from "../support/io";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crashguard-lint-json-"));
let n = 0;
function write(text: string, ext = "json"): string {
  const file = path.join(dir, `m${n++}.${ext}`);
  fs.writeFileSync(file, text);
  return file;
}
const settings = ruleSettings({});

/** Each finding where it is reported, read from `text` as given. */
function positions(text: string): string[] {
  const report = lintFiles([write(text)], () => "", settings);
  expect(report.errors).toEqual([]);
  return report.findings.map((f) => `${f.line}:${f.column} ${f.rule} ${f.path}`);
}

const container = fc.record(
  {
    name: fc.constantFrom("app", "side car", 'q"uote', "n\\back"),
    image: fc.constantFrom("nginx", "nginx:1.27"),
    ports: fc.constant([{ name: "http", containerPort: 8080 }]),
    resources: fc.oneof(
      fc.constant({ requests: { memory: "512MB" } }),
      fc.constant({ requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "128Mi", "nvidia.com/gpu": 1 } }),
    ),
    readinessProbe: fc.constant({ httpGet: { path: "/ready", port: "http" } }),
  },
  { requiredKeys: ["name", "image"] },
);
const workload = fc.record({
  apiVersion: fc.constant("apps/v1"),
  kind: fc.constantFrom("Deployment", "StatefulSet"),
  metadata: fc.record({ name: fc.constantFrom("web", "api"), namespace: fc.constant("shop") }),
  spec: fc.record({ template: fc.record({ spec: fc.record({ containers: fc.array(container, { minLength: 1, maxLength: 3 }) }) }) }),
});
const manifest = fc.oneof(
  workload,
  fc.array(workload, { minLength: 1, maxLength: 4 }).map((items) => ({ apiVersion: "v1", kind: "List", items })),
);

describe("JSON manifests", () => {
  it("puts every finding at the line and column the YAML reader finds for the same text", () => {
    fc.assert(
      fc.property(manifest, fc.constantFrom(undefined, 2, 4, "\t"), (object, indent) => {
        const json = JSON.stringify(object, null, indent);
        // A trailing YAML comment makes the text invalid JSON, so it is read as YAML; positions are unmoved.
        expect(positions(json)).toEqual(positions(`${json}\n# read as YAML\n`));
      }),
      { seed: 16, numRuns: 30 },
    );
  });

  it("reads a JSON dump past the YAML token budget, with its findings at their lines", async () => {
    // Some 28 YAML tokens per ConfigMap: 100,000 of them are well past the budget the YAML reader
    // refuses ("holds more than 2,000,000 YAML tokens"), and JSON.parse reads them in milliseconds.
    const configMap = '{"kind":"ConfigMap","data":{"a":"0","b":"0","c":"0","d":"0"}},';
    const count = Math.ceil(MAX_YAML_TOKENS / 20);
    const pod = '{"kind":"Pod","metadata":{"name":"late","namespace":"shop"},"spec":{"containers":[\n  {"name":"c","image":"c:1"}]}}';
    const io = fakeIO();
    expect(await main([write(`{"apiVersion":"v1","kind":"List","items":[${configMap.repeat(count)}\n${pod}]}`), "-o", "json"], io)).toBe(1);
    const report = JSON.parse(io.out);
    expect(report.errors).toEqual([]);
    expect(report.summary).toMatchObject({ workloads: 1, documents: 1 });
    expect(report.findings.find((f: { rule: string }) => f.rule === "resources-required")).toMatchObject({
      resource: "Pod shop/late",
      path: `items[${count}].spec.containers[0].resources`,
      line: 3, // the container, the nearest field that exists
      column: 3,
    });
  });

  it("text that only looks like JSON is read as YAML, and its errors keep their lines", () => {
    const report = lintFiles([write('{\n  "kind": "Pod",\n  "metadata": {"name": [}\n}\n')], () => "", settings);
    expect(report.errors.map((e) => `${e.line} ${e.message.split(":")[0]}`)).toEqual(["3 document 1 is not valid YAML"]);
    const list = lintFiles([write("[1, 2]\n")], () => "", settings);
    expect(list.errors.map((e) => `${e.line} ${e.message}`)).toEqual(["1 document 1 is a list, not a Kubernetes object"]);
  });
});
