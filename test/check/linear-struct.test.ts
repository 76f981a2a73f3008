/**
 * The program child encodes resource inputs with `linearStructFromJavaScript` in place of
 * google-protobuf's `Struct.fromJavaScript`: the message must be the very same, or the policy pack
 * would see other properties under `check` than under the Pulumi CLI.
 */
import { createRequire } from "node:module";
import * as fc from "fast-check";
import { linearStructFromJavaScript, type StructClasses } from "../../cli/linear-struct";

// The google-protobuf copy the Pulumi SDK encodes with.
const structPb = createRequire(require.resolve("@pulumi/pulumi/package.json"))("google-protobuf/google/protobuf/struct_pb");
const fromJavaScript: (obj: unknown) => { serializeBinary(): Uint8Array; toJavaScript(): unknown } = structPb.Struct.fromJavaScript;
const linear = linearStructFromJavaScript(structPb as StructClasses);

const SEED = { seed: 16_2026, numRuns: 300 };

test("any JSON object encodes to the same bytes and decodes to the same value", () => {
  const object = fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 8 }), { maxKeys: 8 });
  fc.assert(
    fc.property(object, (obj) => {
      const ours = linear(obj);
      const theirs = fromJavaScript(obj);
      expect(Buffer.from(ours.serializeBinary())).toEqual(Buffer.from(theirs.serializeBinary()));
      expect(ours.toJavaScript()).toEqual(theirs.toJavaScript());
    }),
    SEED,
  );
});

test("a Kubernetes Deployment as the SDK serialises it, secrets and unknowns included", () => {
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "api", labels: { "app.kubernetes.io/name": "api" }, annotations: {} },
    spec: {
      replicas: 2,
      template: {
        spec: {
          containers: [
            {
              name: "api",
              image: "ghcr.io/acme/api:1.4.2",
              env: [{ name: "TOKEN", value: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "s3cret" } }],
              resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "256Mi" } },
              ports: [{ containerPort: 8080, name: "http" }],
              readinessProbe: { httpGet: { path: "/ready", port: "http" }, periodSeconds: 10, timeoutSeconds: 3 },
            },
          ],
          nodeSelector: null,
        },
      },
      paused: false,
      revisionHistoryLimit: -0,
    },
    status: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
  };
  expect(Buffer.from(linear(deployment).serializeBinary())).toEqual(Buffer.from(fromJavaScript(deployment).serializeBinary()));
});

test("what google-protobuf cannot encode fails the same way", () => {
  for (const bad of [{ a: undefined }, { a: [() => 1] }, { a: { b: Symbol("x") } }, { a: 1n }]) {
    expect(() => fromJavaScript(bad)).toThrow("Unexpected struct type.");
    expect(() => linear(bad)).toThrow("Unexpected struct type.");
  }
});
