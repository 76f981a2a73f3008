/**
 * crashguard as an app team installs it: built (`npm run build`, which `npm ci` and git installs run
 * as `prepare`), resolved from node_modules by its package name, loaded by plain Node with no
 * TypeScript hook, and type-checked by a consumer's `tsc` through the shipped declarations.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = path.join(__dirname, "..", "..");
const TSC = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
let app: string;

beforeAll(async () => {
  await run(process.execPath, [TSC, "-p", path.join(ROOT, "tsconfig.build.json")], { cwd: ROOT });
  app = mkdtempSync(path.join(tmpdir(), "crashguard-consumer-"));
  mkdirSync(path.join(app, "node_modules"));
  symlinkSync(ROOT, path.join(app, "node_modules", "crashguard"), "dir");
  symlinkSync(path.join(ROOT, "node_modules", "@pulumi"), path.join(app, "node_modules", "@pulumi"), "dir");
  symlinkSync(path.join(ROOT, "node_modules", "@types"), path.join(app, "node_modules", "@types"), "dir");
}, 240_000); // a whole tsc run and a build: minutes on a loaded 2-core machine

afterAll(() => rmSync(app, { recursive: true, force: true }));

test("plain Node loads crashguard, crashguard/rules and crashguard/verify, not azure-native, and builds a Workload under mocks", async () => {
  writeFileSync(
    path.join(app, "index.js"),
    `const pulumi = require("@pulumi/pulumi");
const types = [];
pulumi.runtime.setMocks({ newResource: (a) => { types.push(a.type); return { id: a.name + "-id", state: a.inputs }; }, call: (a) => a.inputs }, "app", "dev");
const { Workload } = require("crashguard");
const { checkObject } = require("crashguard/rules");
const { diagnosePod } = require("crashguard/verify");
new Workload("api", { image: "ghcr.io/acme/api:1.4.2", port: 8080, verify: false });
let refused = "";
try { new Workload("bad", { image: "ghcr.io/acme/api:1.4.2", resources: { memoryLimit: "512MB" }, verify: false }); } catch (e) { refused = e.message; }
const findings = checkObject({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "c", image: "nginx:1.27" }] } });
const pod = diagnosePod({ metadata: { name: "p" }, status: { containerStatuses: [{ name: "c", restartCount: 1, lastState: { terminated: { exitCode: 137, reason: "OOMKilled" } } }] } }, []);
const azureNative = Object.keys(require.cache).filter((f) => f.includes("azure-native")).length;
setTimeout(() => console.log(JSON.stringify({ azureNative, types: [...new Set(types)].sort(), refused, rules: [...new Set(findings.map((f) => f.rule))].sort(), category: pod.failures[0] && pod.failures[0].category })), 500);
`,
  );
  const { stdout } = await run(process.execPath, ["index.js"], { cwd: app });
  const out = JSON.parse(stdout);
  expect(out.azureNative).toBe(0); // AksCluster lives at crashguard/aks; a Workload-only app never loads azure-native
  expect(out.types).toEqual([
    "crashguard:k8s:Workload",
    "kubernetes:apps/v1:Deployment",
    "kubernetes:core/v1:Service",
    "kubernetes:policy/v1:PodDisruptionBudget",
  ]);
  expect(out.refused).toMatch(/\[resource-values-valid\].*resources\.limits\.memory/);
  expect(out.rules).toEqual(["liveness-probe-required", "readiness-probe-required", "resources-required"]);
  expect(out.category).toBe("oom-killed");
}, 120_000);

test("a TypeScript consumer type-checks against the shipped declarations, which reject a wrong argument", async () => {
  writeFileSync(
    path.join(app, "good.ts"),
    `import { Workload, type WorkloadArgs } from "crashguard";
import { AksCluster } from "crashguard/aks";
import { checkObject, type Finding } from "crashguard/rules";
import { verifyHook, awaitAnnotations } from "crashguard/verify";
const args: WorkloadArgs = { image: "ghcr.io/acme/api:1.4.2", resources: { memoryRequest: "512Mi" } };
export const api = new Workload("api", args);
export const cluster: typeof AksCluster = AksCluster;
export const findings: Finding[] = checkObject({});
export const hook = verifyHook({ timeoutSeconds: 300 });
export const annotations: Record<string, string> = awaitAnnotations("verify");
`,
  );
  writeFileSync(
    path.join(app, "bad.ts"),
    `import { Workload } from "crashguard";\nexport const w = new Workload("api", { image: "x", replicas: "two" });\n`,
  );
  writeFileSync(
    path.join(app, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: "commonjs",
        moduleResolution: "node",
        target: "es2020",
        noEmit: true,
        skipLibCheck: true,
        types: ["node"],
      },
      files: ["good.ts", "bad.ts"],
    }),
  );
  const result = await run(process.execPath, [TSC, "-p", "."], { cwd: app }).then(
    () => ({ code: 0, stdout: "" }),
    (err: { code: number; stdout: string }) => err,
  );
  const errors = result.stdout.split("\n").filter((l) => /error TS/.test(l));
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(/^bad\.ts\(2,.*'replicas'.*|^bad\.ts\(2,.*Type 'string' is not assignable to type/);
}, 240_000); // a whole tsc run and a build: minutes on a loaded 2-core machine
