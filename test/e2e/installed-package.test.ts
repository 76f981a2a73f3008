/**
 * crashguard as an app team gets it: `npm pack` (which builds it), the tarball installed into a
 * fresh app that has its own @pulumi/pulumi, every command run from node_modules/.bin, and the
 * library loaded by plain Node and type-checked by the app's tsc. Slow (a real install), so it
 * runs in `npm run test:e2e`, not `npm test`.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { installOffline } from "../support/offline-install";
import { FIXTURES } from "../support/fixtures";

const ROOT = path.join(__dirname, "..", "..");
const TSC = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
const exec = promisify(execFile);
let work: string;
let app: string;
let packed: string[];

/** Runs `crashguard …` as the app's shell would; resolves with the exit code and output. */
async function crashguard(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return exec(path.join(app, "node_modules", ".bin", "crashguard"), args, { cwd: app }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "crashguard-e2e-"));
  const { stdout } = await exec("npm", ["pack", "--json", "--pack-destination", work, "--loglevel=error"], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  const [tarball] = JSON.parse(stdout.slice(stdout.indexOf("[")));
  packed = tarball.files.map((f: { path: string }) => f.path);

  app = path.join(work, "app");
  fs.mkdirSync(app);
  fs.writeFileSync(
    path.join(app, "package.json"),
    JSON.stringify({
      name: "app",
      version: "1.0.0",
      private: true,
      dependencies: { "@pulumi/pulumi": "^3.270.0", crashguard: `file:../${tarball.filename}` },
    }),
  );
  await installOffline(app);
}, 600_000);

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

test("the tarball holds what users run and nothing else: no tests, benches, keys or TypeScript sources", () => {
  expect(packed).toEqual(
    expect.arrayContaining([
      "bin/crashguard.js",
      "dist/index.js",
      "dist/aks.js",
      "dist/cli/main.js",
      "policies/dist/index.js",
      "policies/package.json",
      "policies/PulumiPolicy.yaml",
    ]),
  );
  const stray = packed.filter(
    (f) =>
      /^(test|bench|\.ci|examples)\//.test(f) ||
      /\.(pem|key|crt)$/.test(f) ||
      (f.endsWith(".ts") && !f.endsWith(".d.ts")) ||
      f === "Pulumi.yaml" ||
      f === "bin/register.js",
  );
  expect(stray).toEqual([]);
});

test("the app has one @pulumi/pulumi, its own, and no azure-native", () => {
  const copies = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      if (!e.isDirectory()) return [];
      const sub = path.join(dir, e.name);
      if (sub.endsWith(path.join("@pulumi", "pulumi"))) return [path.relative(app, sub)];
      return e.name === "vendor" ? [] : copies(sub);
    });
  expect(copies(path.join(app, "node_modules"))).toEqual([path.join("node_modules", "@pulumi", "pulumi")]);
  expect(fs.existsSync(path.join(app, "node_modules", "@pulumi", "azure-native"))).toBe(false);
});

test("check previews a one-Workload program and finds nothing mandatory (exit 0)", async () => {
  fs.writeFileSync(path.join(app, "Pulumi.yaml"), "name: app\nruntime: nodejs\nmain: index.js\n");
  fs.writeFileSync(
    path.join(app, "index.js"),
    `const { Workload } = require("crashguard");\nnew Workload("api", { image: "ghcr.io/acme/api:1.4.2", port: 8080 });\n`,
  );
  const result = await crashguard("check", ".");
  expect(result.stderr).not.toMatch(/Unknown file extension|\n\s+at /);
  // The Workload, its Deployment, Service, budget and rollout gate (a ConfigMap), and the stack.
  expect(result.stdout).toContain("Previewed app/dev: 6 resources");
  expect(result.stdout).toContain("kubernetes:core/v1:ConfigMap");
  expect(result.stdout).toContain("✓ no mandatory violations");
  expect(result.code).toBe(0);
}, 120_000);

test("lint, diagnose and verify run from node_modules/.bin", async () => {
  fs.writeFileSync(
    path.join(app, "pod.yaml"),
    "apiVersion: v1\nkind: Pod\nmetadata: { name: web }\nspec:\n  containers: [{ name: app, image: nginx:1.27 }]\n",
  );
  const lint = await crashguard("lint", "pod.yaml");
  expect(lint.stdout).toContain("resources-required");
  expect(lint.code).toBe(1);

  const diagnose = await crashguard("diagnose", "-f", path.join(FIXTURES, "pods", "failing-pods.json"));
  expect(diagnose.code).toBe(1);
  expect(diagnose.stdout.length).toBeGreaterThan(0);

  const verify = await crashguard("verify", "deployment/web", "--kubeconfig", path.join(app, "no-such-kubeconfig"));
  expect(verify.code).toBe(2);
  expect(verify.stderr).toContain("no-such-kubeconfig");
  expect(verify.stderr).not.toMatch(/\n\s+at /);
}, 120_000);

test("plain Node loads crashguard, crashguard/rules and crashguard/verify without azure-native", async () => {
  fs.writeFileSync(
    path.join(app, "load.js"),
    `const pulumi = require("@pulumi/pulumi");
pulumi.runtime.setMocks({ newResource: (a) => ({ id: a.name + "-id", state: a.inputs }), call: (a) => a.inputs }, "app", "dev");
const { Workload } = require("crashguard");
const { checkObject } = require("crashguard/rules");
const { diagnosePod } = require("crashguard/verify");
new Workload("api", { image: "ghcr.io/acme/api:1.4.2", port: 8080, verify: false });
let aks = "";
try { require("crashguard/aks"); } catch (e) { aks = e.code; }
const findings = checkObject({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "c", image: "nginx:1.27" }] } });
const pod = diagnosePod({ metadata: { name: "p" }, status: { containerStatuses: [{ name: "c", restartCount: 1, lastState: { terminated: { exitCode: 137, reason: "OOMKilled" } } }] } }, []);
console.log(JSON.stringify({ aks, rules: [...new Set(findings.map((f) => f.rule))].sort(), category: pod.failures[0] && pod.failures[0].category }));
`,
  );
  const { stdout } = await exec(process.execPath, ["load.js"], { cwd: app });
  expect(JSON.parse(stdout)).toEqual({
    aks: "MODULE_NOT_FOUND",
    rules: ["liveness-probe-required", "readiness-probe-required", "resources-required"],
    category: "oom-killed",
  });
}, 240_000);

test("a TypeScript app type-checks against the shipped declarations, including crashguard/aks", async () => {
  fs.writeFileSync(
    path.join(app, "good.ts"),
    `import { Workload, kubernetesProvider, type WorkloadArgs } from "crashguard";
import type { AksClusterArgs } from "crashguard/aks";
import { checkObject, type Finding } from "crashguard/rules";
import { verifyHook } from "crashguard/verify";
const args: WorkloadArgs = { image: "ghcr.io/acme/api:1.4.2", kubeconfig: "ambient" };
export const api = new Workload("api", args, { provider: kubernetesProvider("k8s", { kubeconfig: "apiVersion: v1" }) });
export const cluster: AksClusterArgs = { location: "westeurope" };
export const findings: Finding[] = checkObject({});
export const hook = verifyHook({ timeoutSeconds: 300 });
`,
  );
  fs.writeFileSync(
    path.join(app, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: "commonjs",
        moduleResolution: "node",
        target: "es2022",
        noEmit: true,
        skipLibCheck: true,
        types: [],
      },
      files: ["good.ts"],
    }),
  );
  const errors = await exec(process.execPath, [TSC, "-p", "."], { cwd: app }).then(
    () => "",
    (err: { stdout: string }) => err.stdout,
  );
  expect(errors).toBe("");
}, 240_000);
