/**
 * The pack reads a request's inputs from their bytes (policies/struct-wire.ts,
 * policies/request-inputs.ts) where the SDK would decode them with google-protobuf: the value must
 * be the very one google-protobuf gives, for every input, or the pack would judge other inputs
 * than the Pulumi CLI sent.
 */
import { createRequire } from "node:module";
import * as fc from "fast-check";
import { decodeRequestInputsInPack } from "../../policies/request-inputs";
import { UnusualEncoding, splitField, structToJavaScript } from "../../policies/struct-wire";

// The google-protobuf copy the Pulumi SDK decodes with.
const fromPulumi = createRequire(require.resolve("@pulumi/pulumi/package.json"));
const structPb = fromPulumi("google-protobuf/google/protobuf/struct_pb");
const pb = fromPulumi("./proto/analyzer_pb");
const grpcPb = fromPulumi("./proto/analyzer_grpc_pb");

const encode = (obj: unknown): Buffer => Buffer.from(structPb.Struct.fromJavaScript(obj).serializeBinary());
const sdkValue = (bytes: Uint8Array): unknown => structPb.Struct.deserializeBinary(bytes).toJavaScript();

/** What the pack gives for any bytes: its own reading, or google-protobuf's where the encoding is unusual. */
function packValue(bytes: Uint8Array): unknown {
  try {
    return structToJavaScript(bytes);
  } catch (err) {
    if (!(err instanceof UnusualEncoding)) throw err;
    return sdkValue(bytes);
  }
}

/** Either both give the same value, or both throw. */
function expectSameOutcome(bytes: Uint8Array): void {
  let expected: { value: unknown } | { error: true };
  try {
    expected = { value: sdkValue(bytes) };
  } catch {
    expected = { error: true };
  }
  if ("error" in expected) expect(() => packValue(bytes)).toThrow();
  else expect(packValue(bytes)).toEqual(expected.value);
}

const SEED = { seed: 16_2026, numRuns: 200 };
const leaf = fc.oneof(fc.constant(null), fc.boolean(), fc.double(), fc.string({ unit: "binary" }), fc.string());
const value = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.string({ unit: "binary" }), tie("value"), { maxKeys: 5 }),
  ),
})).value;
const object = fc.dictionary(fc.string({ unit: "binary" }), value, { maxKeys: 6 });

/**
 * The object's bytes with its keys in reverse order: google-protobuf writes a map's entries sorted,
 * the engine (Go) in any order. Struct bytes concatenated are one Struct with all their entries.
 */
const encodeReversed = (obj: Record<string, unknown>): Buffer =>
  Buffer.concat(
    Object.keys(obj)
      .reverse()
      .map((k) => encode({ [k]: obj[k] })),
  );

test("any object's bytes read as google-protobuf reads them: same keys in the same order, same values", () => {
  fc.assert(
    fc.property(object, fc.boolean(), (obj, reversed) => {
      const bytes = reversed ? encodeReversed(obj) : encode(obj);
      const ours = structToJavaScript(bytes);
      const theirs = sdkValue(bytes) as Record<string, unknown>;
      expect(ours).toEqual(theirs);
      expect(JSON.stringify(ours)).toEqual(JSON.stringify(theirs)); // key order too
    }),
    SEED,
  );
});

test("any bytes at all, and any damage to an object's bytes: the same value as google-protobuf's, or an error where it errs", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => expectSameOutcome(bytes)),
    SEED,
  );
  const damaged = fc.tuple(object, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([obj, at, byte]) => {
    const bytes = encode(obj);
    if (bytes.length > 0) bytes[at % bytes.length] = byte;
    return bytes;
  });
  fc.assert(
    fc.property(damaged, (bytes) => expectSameOutcome(bytes)),
    SEED,
  );
});

/** A length-delimited field. */
const field = (number: number, content: number[]) => [(number << 3) | 2, content.length, ...content];
const text = (s: string) => [...Buffer.from(s)];
const stringValue = (s: string) => field(3, text(s));
const entry = (key: number[], value: number[]) => field(1, [...field(1, key), ...field(2, value)]);

test.each([
  ["a __proto__ key, which google-protobuf's map drops", entry(text("__proto__"), stringValue("x"))],
  ["text that is not UTF-8", entry(text("k"), field(3, [0xc3, 0x28]))],
  ["a Value of two kinds", entry(text("k"), [...stringValue("a"), 0x20, 1])],
  ["an unknown field", [...entry(text("k"), stringValue("a")), 0x18, 1]],
  ["a bool of 2", entry(text("k"), [0x20, 2])],
])("%s is left to google-protobuf", (_what, bytes) => {
  expect(() => structToJavaScript(Uint8Array.from(bytes))).toThrow(UnusualEncoding);
  expectSameOutcome(Uint8Array.from(bytes));
});

test("a key sent twice keeps its last value, as google-protobuf's map does", () => {
  const bytes = Uint8Array.from([...entry(text("k"), stringValue("first")), ...entry(text("k"), stringValue("last"))]);
  expect(structToJavaScript(bytes)).toEqual({ k: "last" });
  expect(sdkValue(bytes)).toEqual({ k: "last" });
});

describe("requests as the pack's gRPC server decodes them", () => {
  function engineRequest(): Buffer {
    const req = new pb.AnalyzeRequest();
    req.setType("kubernetes:apps/v1:Deployment");
    req.setProperties(structPb.Struct.fromJavaScript({ spec: { replicas: 2, template: { spec: { containers: [{ name: "app" }] } } } }));
    req.setUrn("urn:pulumi:dev::app::kubernetes:apps/v1:Deployment::app");
    req.setName("app");
    const options = new pb.AnalyzerResourceOptions();
    options.setProtect(true);
    options.setIgnorechangesList(["spec.replicas"]);
    req.setOptions(options);
    const provider = new pb.AnalyzerProviderResource();
    provider.setType("pulumi:providers:kubernetes");
    provider.setProperties(structPb.Struct.fromJavaScript({ kubeconfig: "~/.kube/config" }));
    req.setProvider(provider);
    return Buffer.from(req.serializeBinary());
  }
  const sdkDecode = grpcPb.AnalyzerService.analyze.requestDeserialize;

  afterEach(() => {
    grpcPb.AnalyzerService.analyze.requestDeserialize = sdkDecode;
    grpcPb.AnalyzerService.remediate.requestDeserialize = sdkDecode;
    delete grpcPb.AnalyzerService.analyze.decodesInputsItself;
    delete grpcPb.AnalyzerService.remediate.decodesInputsItself;
  });

  test("every field reads as the SDK decodes it, and the inputs' protobuf fields are there when asked for", () => {
    expect(decodeRequestInputsInPack({})).toBe(true);
    const { analyze, remediate } = grpcPb.AnalyzerService;
    expect(analyze.requestDeserialize).not.toBe(sdkDecode);
    expect(remediate.requestDeserialize).toBe(analyze.requestDeserialize);
    const bytes = engineRequest();
    const ours = analyze.requestDeserialize(bytes);
    const theirs = sdkDecode(bytes);
    expect(ours.getProperties().toJavaScript()).toEqual(theirs.getProperties().toJavaScript());
    expect(ours.toObject()).toEqual(theirs.toObject()); // reads the inputs' fields: google-protobuf decodes them then
    expect(Buffer.from(ours.serializeBinary())).toEqual(Buffer.from(theirs.serializeBinary()));
    expect(ours.getProperties().toJavaScript()).toEqual(theirs.getProperties().toJavaScript());
  });

  test("a request whose inputs are absent or sent twice is the SDK's to decode", () => {
    decodeRequestInputsInPack({});
    const decode = grpcPb.AnalyzerService.analyze.requestDeserialize;
    const bytes = engineRequest();
    const split = splitField(bytes, 2)!;
    expect(split).toBeDefined();
    const inputs = Buffer.concat([Buffer.from([0x12, split.field.length]), split.field]);
    for (const odd of [split.rest, Buffer.concat([bytes, inputs])]) {
      expect(splitField(odd, 2)).toBeUndefined();
      expect(decode(odd).toObject()).toEqual(sdkDecode(odd).toObject());
    }
  });

  test("CRASHGUARD_SDK_DECODING=1 leaves all decoding to the SDK", () => {
    expect(decodeRequestInputsInPack({ CRASHGUARD_SDK_DECODING: "1" })).toBe(false);
    expect(grpcPb.AnalyzerService.analyze.requestDeserialize).toBe(sdkDecode);
  });
});
