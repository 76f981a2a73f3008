/**
 * The Analyzer requests that carry a resource's properties, written to the wire straight from
 * plain objects. google-protobuf's `Struct.fromJavaScript` re-syncs a message's whole subtree each
 * time it is nested one level deeper, so building a Deployment's Struct cost more than sending it
 * and left thousands of message objects behind for the collector; written here, the encoding is one
 * pass over the object and the only thing made is the buffer. The bytes are the ones
 * `AnalyzeRequest.serializeBinary()` gives for the same values, map keys sorted as google-protobuf
 * writes them (test/check/analyzer-wire.test.ts holds the two equal).
 *
 * Field numbers: https://github.com/pulumi/pulumi/blob/master/proto/pulumi/analyzer.proto and
 * https://github.com/protocolbuffers/protobuf/blob/main/src/google/protobuf/struct.proto
 */
import { createRequire } from "node:module";
import type { AnalyzedResource } from "./pack-client";

// The writer of the google-protobuf copy @pulumi/pulumi resolves, the one its messages use.
const { BinaryWriter } = createRequire(require.resolve("@pulumi/pulumi/package.json"))("google-protobuf") as {
  BinaryWriter: new () => Writer;
};

interface Writer {
  writeString(field: number, value: string): void;
  writeDouble(field: number, value: number): void;
  writeBool(field: number, value: boolean): void;
  writeEnum(field: number, value: number): void;
  writeMessage<T>(field: number, value: T, write: (value: T, writer: Writer) => void): void;
  getResultBuffer(): Uint8Array;
}

/** `AnalyzeRequest` (Analyze and Remediate) with empty options, as the CLI sends a new resource. */
export function encodeAnalyzeRequest(resource: AnalyzedResource): Uint8Array {
  const writer = new BinaryWriter();
  writeResource(resource, writer, false);
  return writer.getResultBuffer();
}

/** `AnalyzeStackRequest`: every resource as an `AnalyzerResource`, with its parent. */
export function encodeAnalyzeStackRequest(resources: AnalyzedResource[]): Uint8Array {
  const writer = new BinaryWriter();
  for (const r of resources) writer.writeMessage(1, r, writeStackResource);
  return writer.getResultBuffer();
}

function writeStackResource(resource: AnalyzedResource, writer: Writer): void {
  writeResource(resource, writer, true);
}

/** The fields AnalyzeRequest and AnalyzerResource share (1–5), then AnalyzerResource's parent (7). */
function writeResource(r: AnalyzedResource, writer: Writer, withParent: boolean): void {
  // proto3 strings are written only when not empty, messages whenever set.
  if (r.type) writer.writeString(1, r.type);
  writer.writeMessage(2, r.properties, writeStruct);
  if (r.urn) writer.writeString(3, r.urn);
  if (r.name) writer.writeString(4, r.name);
  // The policy SDK refuses requests without options ("a more recent CLI is required").
  writer.writeMessage(5, NO_OPTIONS, writeNothing);
  if (withParent && r.parent) writer.writeString(7, r.parent);
}

/** AnalyzerResourceOptions with every field unset: written as an empty message. */
const NO_OPTIONS = {};
function writeNothing(): void {}

function writeStruct(object: Record<string, unknown>, writer: Writer): void {
  for (const key of Object.keys(object).sort()) writer.writeMessage(1, [key, object[key]] as const, writeEntry);
}

function writeEntry([key, value]: readonly [string, unknown], writer: Writer): void {
  writer.writeString(1, key);
  writer.writeMessage(2, boxNull(value), writeValue);
}

function writeList(values: unknown[], writer: Writer): void {
  for (const value of values) writer.writeMessage(1, boxNull(value), writeValue);
}

/** The writer skips a message whose value is null or undefined; a null Value still has to be written. */
const NULL = {};
function boxNull(value: unknown): unknown {
  if (value === undefined) throw new Error(UNEXPECTED);
  return value === null ? NULL : value;
}

/** What google-protobuf's Value.fromJavaScript says of anything JSON cannot hold. */
const UNEXPECTED = "Unexpected struct type.";

function writeValue(value: unknown, writer: Writer): void {
  if (value === NULL) return writer.writeEnum(1, 0);
  switch (typeof value) {
    case "string":
      return writer.writeString(3, value);
    case "number":
      return writer.writeDouble(2, value);
    case "boolean":
      return writer.writeBool(4, value);
    case "object":
      if (Array.isArray(value)) return writer.writeMessage(6, value, writeList);
      return writer.writeMessage(5, value as Record<string, unknown>, writeStruct);
    default:
      throw new Error(UNEXPECTED);
  }
}
