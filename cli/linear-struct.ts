/**
 * `google.protobuf.Struct.fromJavaScript` in time linear in the value, for the program child.
 *
 * The Pulumi SDK encodes every resource's inputs with google-protobuf's `Struct.fromJavaScript`
 * before it registers the resource. That builds bottom-up, and google-protobuf hands a message to
 * its parent by `toArray()`, which brings every message below it up to date first — so each level
 * walks its whole subtree again, and a Kubernetes object a dozen levels deep is walked a dozen
 * times (google-protobuf.js: `jspb.Map.prototype.set`, `jspb.Message.prototype.toArray`). Here each
 * message is attached while still empty, then filled: the same message, byte for byte
 * (test/check/linear-struct.test.ts), at about half of google-protobuf's share of the child's time.
 */

interface Message {
  serializeBinary(): Uint8Array;
}
interface WireValue extends Message {
  setNullValue(value: 0): void;
  setNumberValue(value: number): void;
  setStringValue(value: string): void;
  setBoolValue(value: boolean): void;
  setStructValue(value: WireStruct): void;
  setListValue(value: WireList): void;
}
interface WireStruct extends Message {
  getFieldsMap(): { set(key: string, value: WireValue): unknown };
  toJavaScript(): unknown;
}
interface WireList extends Message {
  addValues(value: WireValue): void;
}

/** The classes of google/protobuf/struct_pb.js that the encoder builds, and the encoder it stands in for. */
export interface StructClasses {
  Struct: { new (): WireStruct; fromJavaScript(obj: Record<string, unknown>): WireStruct };
  Value: new () => WireValue;
  ListValue: new () => WireList;
}

/** A drop-in for `Struct.fromJavaScript` of the given google-protobuf copy: the same message, and the same error for what it cannot encode. */
export function linearStructFromJavaScript({ Struct, Value, ListValue }: StructClasses): (obj: Record<string, unknown>) => WireStruct {
  const fillStruct = (struct: WireStruct, obj: Record<string, unknown>): void => {
    const fields = struct.getFieldsMap();
    // `for…in`, as google-protobuf reads an object: inherited enumerable keys included.
    for (const key in obj) {
      const value = new Value();
      fields.set(key, value);
      fillValue(value, obj[key]);
    }
  };
  const fillValue = (value: WireValue, v: unknown): void => {
    if (v === null) value.setNullValue(0);
    else if (typeof v === "string") value.setStringValue(v);
    else if (typeof v === "number") value.setNumberValue(v);
    else if (typeof v === "boolean") value.setBoolValue(v);
    else if (Array.isArray(v)) {
      const list = new ListValue();
      value.setListValue(list);
      for (let i = 0; i < v.length; i++) {
        const item = new Value();
        list.addValues(item);
        fillValue(item, v[i]);
      }
    } else if (typeof v === "object") {
      const struct = new Struct();
      value.setStructValue(struct);
      fillStruct(struct, v as Record<string, unknown>);
    } else throw new Error("Unexpected struct type.");
  };
  return (obj) => {
    const struct = new Struct();
    fillStruct(struct, obj);
    return struct;
  };
}
