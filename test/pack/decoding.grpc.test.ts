/**
 * The pack reads each request's inputs from its bytes (policies/request-inputs.ts); with
 * `CRASHGUARD_SDK_DECODING=1` the SDK decodes them as it would without crashguard. Over gRPC, as
 * the Pulumi CLI calls it, the pack must say exactly the same either way: every verdict, every
 * message, every remediated resource.
 */
import * as path from "node:path";
import { SECRET_SIG, SECRET_VALUE_SIG } from "../../cli/pack-client";
import { FIXTURES, ruleFixtures } from "../support/fixtures";
import { asPulumiResource, usePolicyPack } from "../support/pack";

const ours = usePolicyPack();
const sdk = usePolicyPack({ CRASHGUARD_SDK_DECODING: "1" });

const manifests = [...ruleFixtures(), ...ruleFixtures(path.join(FIXTURES, "real"))].flatMap((f) =>
  f.objects.filter((o): o is Record<string, unknown> => o !== null && typeof o === "object").map((o) => [f.file, o] as const),
);

/** A manifest with a secret environment value, an unknown image and an odd key, as a program's engine would send it. */
const tricky = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "tricky", labels: { "z-last": "1", "a-first": "2", "10": "numeric" } },
  spec: {
    template: {
      spec: {
        containers: [
          {
            name: "app",
            image: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
            env: [{ name: "TOKEN", value: { [SECRET_SIG]: SECRET_VALUE_SIG, value: "hunter2" } }],
            resources: { requests: { memory: "256Mi ✓" }, limits: { memory: 0.5 } },
            readinessProbe: { exec: { command: ["/bin/sh", "-c", "test -f /tmp/ready || exit 1"] }, periodSeconds: 1, timeoutSeconds: 1 },
          },
        ],
      },
    },
  },
};

test("the same verdicts and messages for every fixture, whoever decodes the inputs", async () => {
  expect(manifests.length).toBeGreaterThan(20);
  for (const [file, manifest] of [...manifests, ["tricky", tricky] as const]) {
    const resource = asPulumiResource(manifest);
    const [a, b] = await Promise.all([ours().analyze(resource), sdk().analyze(resource)]);
    expect({ file, diagnostics: a }).toEqual({ file, diagnostics: b });
  }
});

test("the same remediated resources, whoever decodes the inputs", async () => {
  const config = { "resources-required": { enforcementLevel: "remediate" as const } };
  await Promise.all([ours().configure(config), sdk().configure(config)]);
  try {
    let remediated = 0;
    for (const [file, manifest] of [...manifests, ["tricky", tricky] as const]) {
      const resource = asPulumiResource(manifest);
      const [a, b] = await Promise.all([ours().remediate(resource), sdk().remediate(resource)]);
      expect({ file, remediations: a }).toEqual({ file, remediations: b });
      remediated += a.length;
    }
    expect(remediated).toBeGreaterThan(5);
  } finally {
    await Promise.all([ours().configure({}), sdk().configure({})]);
  }
});
