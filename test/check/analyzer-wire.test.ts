/**
 * The requests `check` writes itself must be the very bytes the Pulumi SDK's generated messages
 * write for the same resource, or the pack would see different properties than under the CLI.
 */
import { createRequire } from "node:module";
import * as fc from "fast-check";
import type * as AnalyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import { encodeAnalyzeRequest, encodeAnalyzeStackRequest } from "../../cli/analyzer-wire";
import type { AnalyzedResource } from "../../cli/pack-client";

const pulumiRequire = createRequire(require.resolve("@pulumi/pulumi/package.json"));
const pb: typeof AnalyzerPb = pulumiRequire("./proto/analyzer_pb");
const { Struct } = pulumiRequire("google-protobuf/google/protobuf/struct_pb");

/** What pack-client sent before: messages built with google-protobuf, then serialised. */
function fill<T extends AnalyzerPb.AnalyzeRequest | AnalyzerPb.AnalyzerResource>(r: AnalyzedResource, req: T): T {
  req.setType(r.type);
  req.setName(r.name);
  req.setUrn(r.urn);
  req.setProperties(Struct.fromJavaScript(r.properties));
  req.setOptions(new pb.AnalyzerResourceOptions());
  return req;
}

const resource: fc.Arbitrary<AnalyzedResource> = fc.record(
  {
    type: fc.string(),
    name: fc.string(),
    urn: fc.string(),
    // Unicode keys and strings, -0, huge and tiny doubles, deep nesting: JSON's whole range.
    properties: fc.dictionary(fc.string({ unit: "grapheme" }), fc.jsonValue({ maxDepth: 6 })),
    parent: fc.string(),
  },
  { requiredKeys: ["type", "name", "urn", "properties"] },
);

const SEED = { seed: 16_2026, numRuns: 150 };

test("AnalyzeRequest: the same bytes as the SDK's messages", () => {
  fc.assert(
    fc.property(resource, (r) => {
      expect(Buffer.from(encodeAnalyzeRequest(r))).toEqual(Buffer.from(fill(r, new pb.AnalyzeRequest()).serializeBinary()));
    }),
    SEED,
  );
});

test("AnalyzeStackRequest: the same bytes as the SDK's messages, parents included", () => {
  fc.assert(
    fc.property(fc.array(resource, { maxLength: 5 }), (resources) => {
      const req = new pb.AnalyzeStackRequest();
      req.setResourcesList(
        resources.map((r) => {
          const ar = fill(r, new pb.AnalyzerResource());
          if (r.parent) ar.setParent(r.parent);
          return ar;
        }),
      );
      expect(Buffer.from(encodeAnalyzeStackRequest(resources))).toEqual(Buffer.from(req.serializeBinary()));
    }),
    SEED,
  );
});

test("a Deployment decodes to the properties it was written from", () => {
  const properties = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", labels: { "app.kubernetes.io/name": "web" } },
    spec: { replicas: 2, paused: false, template: { spec: { containers: [{ name: "web", image: "nginx:1.27", args: [], env: null }] } } },
  };
  const decoded = pb.AnalyzeRequest.deserializeBinary(
    encodeAnalyzeRequest({ type: "kubernetes:apps/v1:Deployment", name: "web", urn: "urn:x", properties }),
  );
  expect(decoded.getProperties()!.toJavaScript()).toEqual(properties);
  expect(decoded.hasOptions()).toBe(true);
});

test.each([
  ["a function", { spec: { run: () => 1 } }],
  ["undefined", { spec: { replicas: undefined } }],
  ["undefined in a list", { spec: { args: ["a", undefined] } }],
])("%s is refused as google-protobuf refuses it", (_, properties) => {
  expect(() => encodeAnalyzeRequest({ type: "t", name: "n", urn: "u", properties })).toThrow("Unexpected struct type.");
  expect(() => Struct.fromJavaScript(properties)).toThrow("Unexpected struct type.");
});
