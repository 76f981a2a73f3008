/**
 * A `google.protobuf.Struct` read straight from its wire bytes into the JavaScript value that
 * google-protobuf's `Struct.deserializeBinary(bytes).toJavaScript()` returns, in one pass.
 *
 * google-protobuf builds a message object per value and, as it decodes, re-syncs each finished
 * subtree into its parent's array at every level above it (jspb `Map.set` and
 * `setOneofWrapperField` call `toArray()`, which walks every nested wrapper), so a resource's
 * inputs cost time in proportion to their size times their depth, and then `toJavaScript()` walks
 * them once more. This reader yields the same value: keys in the order google-protobuf's map
 * yields them (sorted), the last of repeated keys kept, numbers as doubles, null values as null.
 *
 * It reads only the encoding protobuf encoders produce for these messages. Anything else (an
 * unknown field, a second value in one map entry, a Value with two kinds or none, a bool other
 * than 0 or 1, text that is not UTF-8, a `__proto__` key, which google-protobuf's map drops) throws
 * `UnusualEncoding`, and the caller decodes with google-protobuf instead, so the result is the
 * same for every input.
 */

import { isUtf8 } from "node:buffer";

export class UnusualEncoding extends Error {}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_DELIMITED = 2;
const WIRE_FIXED32 = 5;

/** Bytes read forward; every read checks its bounds. */
class Reader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  /** A varint of at most eight bytes, exact below 2^53 (lengths, tags, bools, enums). */
  varint(): number {
    let result = 0;
    let shift = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.end) throw new UnusualEncoding("truncated varint");
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * shift;
      if (b < 0x80) return result;
      shift *= 128;
    }
    throw new UnusualEncoding("varint longer than eight bytes");
  }

  /** A length-delimited field's end, after its length. */
  delimitedEnd(): number {
    const length = this.varint();
    const end = this.pos + length;
    if (end > this.end) throw new UnusualEncoding("length past the end");
    return end;
  }

  double(): number {
    if (this.pos + 8 > this.end) throw new UnusualEncoding("truncated double");
    const value = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return value;
  }

  string(end: number): string {
    const { buf, pos } = this;
    let ascii = true;
    for (let i = pos; i < end; i++) {
      if (buf[i] >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (!ascii && !isUtf8(buf.subarray(pos, end))) throw new UnusualEncoding("text that is not UTF-8");
    this.pos = end;
    return buf.toString(ascii ? "latin1" : "utf8", pos, end);
  }

  /** Skips a field; a group (wire types 3 and 4) is unusual. */
  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        this.pos += 8;
        break;
      case WIRE_DELIMITED:
        this.pos = this.delimitedEnd();
        return;
      case WIRE_FIXED32:
        this.pos += 4;
        break;
      default:
        throw new UnusualEncoding(`wire type ${wireType}`);
    }
    if (this.pos > this.end) throw new UnusualEncoding("field past the end");
  }
}

/** Struct { map<string, Value> fields = 1; } */
function readStruct(r: Reader, end: number): Record<string, unknown> {
  const keys: string[] = [];
  const values: unknown[] = [];
  let sorted = true;
  while (r.pos < end) {
    const tag = r.varint();
    if (tag !== ((1 << 3) | WIRE_DELIMITED)) throw new UnusualEncoding(`Struct tag ${tag}`);
    const entryEnd = r.delimitedEnd();
    let key = "";
    let value: unknown;
    let hasValue = false;
    while (r.pos < entryEnd) {
      const entryTag = r.varint();
      if (entryTag === ((1 << 3) | WIRE_DELIMITED)) key = r.string(r.delimitedEnd());
      else if (entryTag === ((2 << 3) | WIRE_DELIMITED) && !hasValue) {
        value = readValue(r, r.delimitedEnd());
        hasValue = true;
      } else throw new UnusualEncoding(`map entry tag ${entryTag}`);
    }
    if (r.pos !== entryEnd || !hasValue || key === "__proto__") throw new UnusualEncoding("map entry");
    if (sorted && keys.length > 0 && !(keys[keys.length - 1] < key)) sorted = false;
    keys.push(key);
    values.push(value);
  }
  if (r.pos !== end) throw new UnusualEncoding("Struct past its end");
  const result: Record<string, unknown> = {};
  if (sorted) {
    // Encoders that sort their map entries (google-protobuf, Go's in deterministic mode) need no more.
    for (let i = 0; i < keys.length; i++) result[keys[i]] = values[i];
    return result;
  }
  const last = new Map<string, unknown>();
  for (let i = 0; i < keys.length; i++) last.set(keys[i], values[i]);
  for (const key of [...last.keys()].sort()) result[key] = last.get(key);
  return result;
}

/** ListValue { repeated Value values = 1; } */
function readList(r: Reader, end: number): unknown[] {
  const values: unknown[] = [];
  while (r.pos < end) {
    const tag = r.varint();
    if (tag !== ((1 << 3) | WIRE_DELIMITED)) throw new UnusualEncoding(`ListValue tag ${tag}`);
    values.push(readValue(r, r.delimitedEnd()));
  }
  if (r.pos !== end) throw new UnusualEncoding("ListValue past its end");
  return values;
}

/** Value { oneof kind { NullValue null_value = 1; double number_value = 2; string string_value = 3; bool bool_value = 4; Struct struct_value = 5; ListValue list_value = 6; } } */
function readValue(r: Reader, end: number): unknown {
  if (r.pos >= end) throw new UnusualEncoding("a Value of no kind");
  const tag = r.varint();
  let value: unknown;
  switch (tag) {
    case (1 << 3) | WIRE_VARINT:
      r.varint();
      value = null;
      break;
    case (2 << 3) | WIRE_FIXED64:
      value = r.double();
      break;
    case (3 << 3) | WIRE_DELIMITED:
      value = r.string(r.delimitedEnd());
      break;
    case (4 << 3) | WIRE_VARINT: {
      const b = r.varint();
      if (b > 1) throw new UnusualEncoding("bool other than 0 or 1");
      value = b === 1;
      break;
    }
    case (5 << 3) | WIRE_DELIMITED:
      value = readStruct(r, r.delimitedEnd());
      break;
    case (6 << 3) | WIRE_DELIMITED:
      value = readList(r, r.delimitedEnd());
      break;
    default:
      throw new UnusualEncoding(`Value tag ${tag}`);
  }
  if (r.pos !== end) throw new UnusualEncoding("a Value of more than one kind, or past its end");
  return value;
}

/** The JavaScript value of a Struct's bytes; throws `UnusualEncoding` where google-protobuf must decide. */
export function structToJavaScript(bytes: Uint8Array): Record<string, unknown> {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return readStruct(new Reader(buf, 0, buf.length), buf.length);
}

/**
 * A message's bytes split around one length-delimited field: that field's content, and every other
 * field's bytes as they were, in order. Undefined when the field is absent or repeated, or the
 * message holds a group: then the whole message is for google-protobuf to decode.
 */
export function splitField(bytes: Uint8Array, field: number): { field: Buffer; rest: Buffer } | undefined {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const r = new Reader(buf, 0, buf.length);
  let found: { start: number; contentStart: number; end: number } | undefined;
  try {
    while (r.pos < buf.length) {
      const start = r.pos;
      const tag = r.varint();
      const wireType = tag & 7;
      if (tag >>> 3 === field) {
        if (found || wireType !== WIRE_DELIMITED) return undefined;
        const end = r.delimitedEnd();
        found = { start, contentStart: r.pos, end };
        r.pos = end;
      } else {
        r.skip(wireType);
      }
    }
  } catch (err) {
    if (err instanceof UnusualEncoding) return undefined;
    throw err;
  }
  if (!found) return undefined;
  return {
    field: buf.subarray(found.contentStart, found.end),
    rest: Buffer.concat([buf.subarray(0, found.start), buf.subarray(found.end)]),
  };
}
