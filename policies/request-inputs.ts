/**
 * The pack reads each resource's inputs from the request's bytes itself.
 *
 * @pulumi/policy's gRPC server decodes every Analyze and Remediate request with google-protobuf,
 * whose Struct decoding costs time in proportion to the inputs' size times their depth (see
 * ./struct-wire) and was about half of the pack's CPU time per resource. Here the pack's server
 * decodes the request's other fields with the SDK's own code and keeps the inputs (field 2,
 * `properties`) as bytes: the one conversion all the pack's policies share (./shared-inputs) reads
 * them straight into JavaScript, with the same result as google-protobuf's. Anything that asks the
 * inputs for their protobuf fields gets them, decoded by google-protobuf at that moment.
 *
 * Set `CRASHGUARD_SDK_DECODING=1` in the environment of `pulumi preview` to leave all decoding to
 * the SDK, as before. Should a later SDK lay out its modules otherwise, nothing is replaced.
 */
import { createRequire } from "node:module";
import { UnusualEncoding, splitField, structToJavaScript } from "./struct-wire";

/** AnalyzeRequest's `properties` field (pulumi/proto/pulumi/analyzer.proto). */
const PROPERTIES_FIELD = 2;

interface MessageClass<T> {
  new (): T;
  deserializeBinary(bytes: Uint8Array): T;
  deserializeBinaryFromReader(message: T, reader: unknown): T;
}
interface StructMessage {
  toJavaScript(): Record<string, unknown>;
  getFieldsMap(noLazyCreate?: boolean): unknown;
}
interface AnalyzeRequestMessage {
  setProperties(struct: StructMessage): void;
}
interface MethodDefinition {
  requestDeserialize: (bytes: Buffer) => unknown;
  decodesInputsItself?: true;
}

export function decodeRequestInputsInPack(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.CRASHGUARD_SDK_DECODING === "1") return false;
  let service: Record<string, MethodDefinition | undefined>;
  let AnalyzeRequest: MessageClass<AnalyzeRequestMessage>;
  let Struct: MessageClass<StructMessage>;
  let BinaryReader: new (bytes: Uint8Array) => unknown;
  try {
    // The very modules the SDK's server uses: its own @pulumi/pulumi, and that one's google-protobuf.
    const fromPolicy = createRequire(require.resolve("@pulumi/policy/server"));
    service = fromPolicy("@pulumi/pulumi/proto/analyzer_grpc_pb").AnalyzerService;
    AnalyzeRequest = fromPolicy("@pulumi/pulumi/proto/analyzer_pb").AnalyzeRequest;
    const fromProto = createRequire(fromPolicy.resolve("@pulumi/pulumi/proto/analyzer_pb"));
    Struct = fromProto("google-protobuf/google/protobuf/struct_pb").Struct;
    BinaryReader = fromProto("google-protobuf").BinaryReader;
  } catch {
    return false;
  }
  const methods = [service?.analyze, service?.remediate];
  if (
    typeof AnalyzeRequest?.deserializeBinary !== "function" ||
    typeof Struct?.deserializeBinaryFromReader !== "function" ||
    typeof BinaryReader !== "function" ||
    !methods.every((m) => typeof m?.requestDeserialize === "function")
  ) {
    return false;
  }
  if (methods.every((m) => m!.decodesInputsItself)) return true;

  /** A Struct whose content stays bytes until something asks for its protobuf fields. */
  class InputsAsBytes extends (Struct as unknown as new () => StructMessage) {
    #bytes: Buffer | undefined;
    constructor(bytes: Buffer) {
      super();
      this.#bytes = bytes;
    }
    override toJavaScript(): Record<string, unknown> {
      if (this.#bytes) {
        try {
          return structToJavaScript(this.#bytes);
        } catch (err) {
          if (!(err instanceof UnusualEncoding)) throw err;
        }
      }
      return super.toJavaScript(); // reads the fields, which decodes them
    }
    override getFieldsMap(noLazyCreate?: boolean): unknown {
      const bytes = this.#bytes;
      if (bytes) {
        this.#bytes = undefined;
        Struct.deserializeBinaryFromReader(this, new BinaryReader(bytes));
      }
      return super.getFieldsMap(noLazyCreate);
    }
  }

  const decode = (bytes: Buffer): AnalyzeRequestMessage => {
    const split = splitField(bytes, PROPERTIES_FIELD);
    if (!split) return AnalyzeRequest.deserializeBinary(new Uint8Array(bytes));
    const request = AnalyzeRequest.deserializeBinary(split.rest);
    // A copy, as the SDK's own decoding copies the message: the bytes outlive this call.
    request.setProperties(new InputsAsBytes(Buffer.from(split.field)));
    return request;
  };
  for (const method of methods) {
    method!.requestDeserialize = decode;
    method!.decodesInputsItself = true;
  }
  return true;
}
