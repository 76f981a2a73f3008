/**
 * Reads a Kubernetes list answer — `{"kind":"PodList","metadata":{…},"items":[…]}` — from its
 * byte stream one item at a time. Each item of the top-level `items` array is parsed on its own
 * as soon as its last byte arrives and handed over, so neither the whole body, nor the string it
 * would decode to, nor the tree of every full item is ever held: only the item being read and
 * what the caller keeps of the others. Everything outside `items` is parsed at the end.
 *
 * The scanner tracks only what JSON.parse cannot do piecewise: nesting depth, strings and their
 * escapes, and which top-level key an array belongs to. Items and the rest are still parsed by
 * JSON.parse, so anything that is not JSON is refused as before.
 */

export class InvalidJsonError extends Error {
  override name = "InvalidJsonError";
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
/** Longer top-level keys are never `items`: no need to remember them. */
const MAX_KEY_BYTES = 16;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * Hands each item of the list to `onItem` and resolves with the list itself, its `items` emptied
 * (or as it came, when it is not an array). Rejects with {@link InvalidJsonError} for anything
 * JSON.parse would refuse.
 */
export async function readList(chunks: AsyncIterable<Buffer>, onItem: (item: unknown) => void): Promise<unknown> {
  const scanner = new ListScanner(onItem);
  for await (const chunk of chunks) scanner.feed(chunk);
  return scanner.end();
}

class ListScanner {
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** The last string seen at depth 1 — the key of a value that follows it. */
  private key = "";
  /** The bytes of a depth-1 string being read; null once it is too long to be `items`. */
  private keyBytes: number[] | null | undefined;
  /** Inside the top-level `items` array: its items are cut out, the rest (`[`, `]`) stays in the skeleton. */
  private inItems = false;
  /** Between items: what JSON allows next — the first item or `]`, an item after a comma, or a comma or `]` after an item. */
  private expecting: "first" | "item" | "separator" = "first";
  private streamed = false;
  /** The item being read: its kind (`{`, `[`, `"` or a literal's first byte) and its bytes from earlier chunks. */
  private item: { first: number; pieces: Buffer[] } | undefined;
  private itemStart = 0;
  /** The list without its items' bytes. */
  private readonly skeleton: Buffer[] = [];
  private skeletonStart = 0;

  constructor(private readonly onItem: (item: unknown) => void) {}

  feed(chunk: Buffer): void {
    this.itemStart = 0;
    this.skeletonStart = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) this.closeString(chunk, i);
        else if (this.keyBytes && this.keyBytes.push(c) > MAX_KEY_BYTES) this.keyBytes = null;
        continue;
      }
      if (this.inItems && this.depth === 2) {
        // Between items, or at the end of a literal item (a number, true, false, null).
        if (this.item && (c === COMMA || c === CLOSE_BRACKET || isSpace(c))) this.endItem(chunk, i);
        if (this.item || isSpace(c)) continue;
        if (c === CLOSE_BRACKET) {
          if (this.expecting === "item") throw new InvalidJsonError("a comma before the end of the items");
          this.inItems = false;
          this.skeletonStart = i;
          this.depth = 1;
          continue;
        }
        if (c === COMMA) {
          if (this.expecting !== "separator") throw new InvalidJsonError("a comma where an item belongs");
          this.expecting = "item";
          continue;
        }
        if (this.expecting === "separator") throw new InvalidJsonError("two items without a comma");
        this.item = { first: c, pieces: [] };
        this.itemStart = i;
      }
      if (c === QUOTE) {
        this.inString = true;
        this.keyBytes = this.depth === 1 && !this.inItems ? [] : undefined;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        if (c === OPEN_BRACKET && this.depth === 1 && this.key === "items" && !this.inItems) {
          this.skeleton.push(chunk.subarray(this.skeletonStart, i + 1));
          this.inItems = true;
          this.expecting = "first";
          this.streamed = true;
        }
        this.depth++;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        this.depth--;
        if (this.item && this.inItems && this.depth === 2) this.endItem(chunk, i + 1);
      }
    }
    if (this.item) this.item.pieces.push(chunk.subarray(this.itemStart));
    else if (!this.inItems) this.skeleton.push(chunk.subarray(this.skeletonStart));
  }

  end(): unknown {
    if (this.item) this.endItem(Buffer.alloc(0), 0);
    const list = parse(Buffer.concat(this.skeleton));
    if (this.inItems) throw new InvalidJsonError("the list ends inside its items");
    // An `items` key the scanner did not recognise (written with escapes) was parsed with the rest.
    if (!this.streamed && isObject(list) && Array.isArray(list.items)) {
      for (const item of list.items) this.onItem(item);
      list.items = [];
    }
    return list;
  }

  private closeString(chunk: Buffer, i: number): void {
    this.inString = false;
    if (this.keyBytes !== undefined) this.key = this.keyBytes ? String.fromCharCode(...this.keyBytes) : "";
    this.keyBytes = undefined;
    if (this.item?.first === QUOTE && this.depth === 2) this.endItem(chunk, i + 1);
  }

  /** The item ends before `end` in `chunk`: parse it and hand it over. */
  private endItem(chunk: Buffer, end: number): void {
    const { pieces } = this.item!;
    pieces.push(chunk.subarray(this.itemStart, end));
    this.item = undefined;
    this.expecting = "separator";
    this.onItem(parse(pieces.length === 1 ? pieces[0] : Buffer.concat(pieces)));
  }
}

function parse(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new InvalidJsonError("not JSON");
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
