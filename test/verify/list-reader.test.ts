/**
 * The list reader must see exactly what JSON.parse sees, however the bytes are cut into chunks:
 * the same items in the same order, the same rest of the list, and a refusal wherever JSON.parse
 * refuses.
 */
import fc from "fast-check";
import { InvalidJsonError, readList } from "../../verify/list-reader";

async function* chunked(bytes: Buffer, cuts: number[]): AsyncGenerator<Buffer> {
  let start = 0;
  for (const cut of [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)) {
    yield bytes.subarray(start, cut);
    start = cut;
  }
  yield bytes.subarray(start);
}

async function read(text: string, cuts: number[] = []): Promise<{ list: unknown; items: unknown[] }> {
  const items: unknown[] = [];
  const list = await readList(chunked(Buffer.from(text, "utf8"), cuts), (item) => items.push(item));
  return { list, items };
}

/** JSON text with random whitespace between tokens, as servers and proxies may format it. */
function spaced(value: unknown, space: string): string {
  return JSON.stringify(value, null, space);
}

const anyJson = fc.jsonValue({ maxDepth: 4 });
const list = fc.record(
  {
    kind: fc.constantFrom("PodList", "EventList", "items"),
    metadata: fc.record({ resourceVersion: fc.string(), continue: fc.string() }, { requiredKeys: [] }),
    items: fc.array(anyJson, { maxLength: 8 }),
    extra: anyJson,
  },
  { requiredKeys: ["items"] },
);
const settings = { seed: 16, numRuns: 300 };

describe("readList", () => {
  test("items and the rest are what JSON.parse reads, for any chunking", async () => {
    await fc.assert(
      fc.asyncProperty(list, fc.constantFrom("", " ", "\t", "\n  "), fc.array(fc.nat(), { maxLength: 12 }), async (value, space, cuts) => {
        const { list: rest, items } = await read(spaced(value, space), cuts);
        expect(items).toEqual(value.items);
        expect(rest).toEqual({ ...value, items: [] });
      }),
      settings,
    );
  });

  test("each item is handed over before the bytes after it are read: the body is never held whole", async () => {
    const seenBefore: number[] = [];
    const items: unknown[] = [];
    async function* body(): AsyncGenerator<Buffer> {
      yield Buffer.from('{"kind":"PodList","metadata":{"resourceVersion":"7"},"items":[{"n":1},');
      seenBefore.push(items.length);
      yield Buffer.from('{"n":2}');
      seenBefore.push(items.length);
      yield Buffer.from("]}");
    }
    const rest = await readList(body(), (item) => items.push(item));
    expect(seenBefore).toEqual([1, 2]);
    expect(rest).toEqual({ kind: "PodList", metadata: { resourceVersion: "7" }, items: [] });
  });

  test("multi-byte characters cut between chunks arrive whole", async () => {
    const text = JSON.stringify({ items: [{ message: "Größe überschritten — 容量 🚀" }] });
    for (let cut = 0; cut <= Buffer.byteLength(text); cut++)
      expect((await read(text, [cut])).items).toEqual([{ message: "Größe überschritten — 容量 🚀" }]);
  });

  test("an items key written with escapes is still read, as JSON.parse reads it", async () => {
    expect(await read('{"it\\u0065ms":[{"a":1}],"metadata":{}}')).toEqual({ list: { items: [], metadata: {} }, items: [{ a: 1 }] });
  });

  test("items that are not an array are left in the list for the caller to refuse", async () => {
    expect(await read('{"items":{"a":[1]}}')).toEqual({ list: { items: { a: [1] } }, items: [] });
  });

  test("a nested items array is not the list's", async () => {
    expect(await read('{"metadata":{"items":[1,2]},"items":[3]}')).toEqual({
      list: { metadata: { items: [1, 2] }, items: [] },
      items: [3],
    });
  });

  test("every truncation and every corruption JSON.parse refuses is refused", async () => {
    await fc.assert(
      fc.asyncProperty(
        list,
        fc.nat(),
        fc.constantFrom("", "}", "]", '"', ",", "x", "{"),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (value, at, insert, cuts) => {
          const text = JSON.stringify(value);
          const cut = at % text.length;
          const broken = text.slice(0, cut) + insert + (insert ? text.slice(cut) : "");
          let valid = true;
          try {
            JSON.parse(broken);
          } catch {
            valid = false;
          }
          fc.pre(!valid);
          await expect(read(broken, cuts)).rejects.toBeInstanceOf(InvalidJsonError);
        },
      ),
      settings,
    );
  });
});
