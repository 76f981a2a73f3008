/**
 * The policy pack as `pulumi policy publish` and a platform repo that vendors it get it: policies/
 * copied alone to a fresh directory, `npm install`ed there (which builds its JavaScript), started
 * exactly as the Pulumi CLI starts a pack, and asked for one Analyze over gRPC.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PolicyPackClient } from "../../cli/pack-client";
import { installOffline } from "../support/offline-install";
import { PACK_DIR } from "../support/pack";

let dir: string;
let pack: PolicyPackClient | undefined;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "crashguard-pack-"));
  fs.cpSync(PACK_DIR, dir, { recursive: true, filter: (src) => !["node_modules", "dist"].includes(path.basename(src)) });
  await installOffline(dir);
  pack = await PolicyPackClient.start(dir);
}, 600_000);

afterAll(async () => {
  await pack?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test("the copied pack builds its own JavaScript on install and points its main at it", () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  expect(pkg.main).toMatch(/\.js$/);
  expect(fs.existsSync(path.join(dir, pkg.main))).toBe(true);
  // run-policy-pack hands a tsconfig.json it finds to the TypeScript it loads, which may be the 3.8 it vendors.
  expect(fs.existsSync(path.join(dir, "tsconfig.json"))).toBe(false);
});

test("started as the CLI starts it, it answers an Analyze with resources-required", async () => {
  const diagnostics = await pack!.analyze({
    type: "kubernetes:apps/v1:Deployment",
    name: "web",
    urn: "urn:pulumi:dev::app::kubernetes:apps/v1:Deployment::web",
    properties: {
      spec: {
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image: "nginx:1.27" }] } },
      },
    },
  });
  expect(diagnostics.map((d) => `${d.policyName}:${d.enforcementLevel}`)).toContain("resources-required:mandatory");
});
