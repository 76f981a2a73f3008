/**
 * Reads Kubernetes manifests — multi-document YAML, JSON, kubectl `List` dumps, `helm template`
 * and `kustomize build` output, from files, directories or stdin — keeping each document's source
 * so a finding's field path can be turned into the line and column a user can jump to.
 */
import { type Stats, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { Composer, type Document, Lexer, LineCounter, Parser, isMap, isPair, isScalar, isSeq } from "yaml";
import { JsonPositions } from "./json-positions";
import { decodeText } from "./text-encoding";

export interface Manifest {
  file: string;
  /** 0-based index of the document in its file. */
  index: number;
  object: Record<string, unknown>;
  /** line:column (1-based) of a field path, or of its nearest existing ancestor. */
  position(fieldPath: string): { line: number; column: number };
}

export interface InputError {
  file: string;
  line?: number;
  message: string;
}

export const MAX_FILE_BYTES = 50 * 1024 * 1024;
/**
 * Parsing cost follows YAML tokens, not bytes: the document model takes some 50 bytes of memory
 * per byte of dense YAML. Counting tokens stops at this budget (about 6 MB of manifests), so time
 * and memory are bounded whatever a file holds. JSON is read with JSON.parse, whose cost follows
 * bytes, and is bounded by the file size limit alone.
 */
export const MAX_YAML_TOKENS = 2_000_000;
const MANIFEST_FILE = /\.(ya?ml|json)$/i;

/** Expands files and directories (recursively, *.yaml, *.yml, *.json) in a stable order; `-` is stdin. */
export function expandInputs(inputs: string[], errors: InputError[]): string[] {
  const files: string[] = [];
  for (const input of inputs) {
    if (input === "-") {
      files.push(input);
      continue;
    }
    let stat: Stats;
    try {
      stat = statSync(input);
    } catch {
      errors.push({ file: input, message: "no such file or directory" });
      continue;
    }
    if (stat.isDirectory()) files.push(...walk(input));
    else files.push(input);
  }
  return files;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => {
      const p = join(dir, e.name);
      if (e.isDirectory()) return e.name === "node_modules" || e.name.startsWith(".") ? [] : walk(p);
      return MANIFEST_FILE.test(e.name) ? [p] : [];
    });
}

/** Reads one file's text, refusing what cannot be a manifest before parsing it. */
export function readText(file: string, stdin: () => string, errors: InputError[]): string | undefined {
  let buf: Buffer;
  try {
    if (file === "-") buf = Buffer.from(stdin(), "utf8");
    else {
      const size = statSync(file).size;
      if (size > MAX_FILE_BYTES) {
        errors.push({
          file,
          message: `file is ${(size / 1024 / 1024).toFixed(0)} MB, above the ${MAX_FILE_BYTES / 1024 / 1024} MB limit; split it`,
        });
        return undefined;
      }
      buf = readFileSync(file);
    }
  } catch (err) {
    errors.push({ file, message: `cannot read it: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
    return undefined;
  }
  const text = decodeText(buf);
  if (text.includes("\0")) {
    errors.push({ file, message: "binary data (NUL bytes), not YAML or JSON" });
    return undefined;
  }
  return text;
}

/**
 * The YAML syntax tree of `text`, its tokens counted as they are lexed so the text is lexed once.
 * Past {@link MAX_YAML_TOKENS} the reading stops and `overBudget` is told the offset: the document
 * being read is never handed on (the parser hands on only finished documents), and neither time nor
 * memory follows what a file holds beyond the budget. The loop is the library's own `Parser.parse`
 * (https://github.com/eemeli/yaml/blob/main/src/parse/parser.ts) with the count added.
 */
function* budgetedParse(text: string, lineCounter: LineCounter, overBudget: (offset: number) => void) {
  const parser = new Parser(lineCounter.addNewLine);
  lineCounter.addNewLine(0);
  let tokens = 0;
  let offset = 0;
  for (const lexeme of new Lexer().lex(text)) {
    if (++tokens > MAX_YAML_TOKENS) return overBudget(offset);
    offset += lexeme.length;
    yield* parser.next(lexeme);
  }
  yield* parser.end();
}

/**
 * Every object document in the text, one at a time as it is parsed: a document's tree lives only
 * while its manifest is in use, so memory stays flat however many documents a file holds. A broken
 * document is reported and the rest still read.
 */
export function* parseManifests(file: string, text: string, errors: InputError[]): Generator<Manifest> {
  const json = parseJson(text);
  if (json) {
    yield* jsonManifests(file, text, json.value, errors);
    return;
  }
  const lineCounter = new LineCounter();
  // `merge`: kubectl applies YAML 1.1 merge keys (<<), so a field set through one is set.
  // logLevel "error": the library would print its warnings (e.g. about collection keys) straight to stderr.
  const composer = new Composer({ uniqueKeys: false, merge: true, logLevel: "error" });
  let index = -1;
  let stoppedAt: number | undefined;
  for (const doc of composer.compose(budgetedParse(text, lineCounter, (offset) => (stoppedAt = offset)))) {
    index++;
    const manifest = readDocument(file, doc, index, lineCounter, errors);
    if (manifest) yield manifest;
  }
  if (stoppedAt !== undefined) {
    const line = lineCounter.linePos(stoppedAt).line;
    errors.push({
      file,
      line,
      message: `holds more than ${MAX_YAML_TOKENS.toLocaleString("en")} YAML tokens, more than crashguard reads in one file; split it (e.g. one file per namespace). Document ${index + 2} (read up to line ${line}) and the rest were not linted`,
    });
  }
}

/** One parsed document as a manifest, or its problem in `errors`. */
function readDocument(
  file: string,
  doc: Document.Parsed,
  index: number,
  lineCounter: LineCounter,
  errors: InputError[],
): Manifest | undefined {
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const at = e.pos[0] >= 0 ? lineCounter.linePos(e.pos[0]) : undefined;
    errors.push({
      file,
      line: at?.line,
      message: `document ${index + 1} is not valid YAML: ${e.message.split("\n")[0]}${at ? ` at line ${at.line}, column ${at.col}` : ""}`,
    });
    return undefined;
  }
  let object: unknown;
  try {
    object = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    errors.push({
      file,
      line: lineOf(doc.contents, lineCounter),
      message: `document ${index + 1} cannot be read: ${(err as Error).message}`,
    });
    return undefined;
  }
  if (object === null || object === undefined) return undefined; // `---` with nothing after it
  if (typeof object !== "object" || Array.isArray(object)) {
    errors.push(notAnObject(file, index, lineOf(doc.contents, lineCounter), object));
    return undefined;
  }
  return { file, index, object: object as Record<string, unknown>, position: (p) => positionOf(doc, lineCounter, p) };
}

function notAnObject(file: string, index: number, line: number | undefined, value: unknown): InputError {
  return {
    file,
    line,
    message: `document ${index + 1} is ${Array.isArray(value) ? "a list" : `a ${typeof value}`}, not a Kubernetes object`,
  };
}

/**
 * JSON text read as JSON: `kubectl get -o json` dumps are one document, often megabytes, and the
 * YAML model of that document costs some 200 bytes of memory per byte and seconds of CPU where
 * `JSON.parse` takes milliseconds. Text that is not JSON (YAML flow style, or broken) goes to the
 * YAML reader, which names the line of any error.
 */
function parseJson(text: string): { value: unknown } | undefined {
  const first = /\S/.exec(text)?.[0];
  if (first !== "{" && first !== "[") return undefined;
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

function* jsonManifests(file: string, text: string, value: unknown, errors: InputError[]): Generator<Manifest> {
  const positions = new JsonPositions(text);
  const lineCounter = new LineCounter();
  lineCounter.addNewLine(0);
  for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", nl + 1)) lineCounter.addNewLine(nl + 1);
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  if (value === null) return;
  if (typeof value !== "object" || Array.isArray(value)) {
    errors.push(notAnObject(file, 0, at(positions.offsetOf([])).line, value));
    return;
  }
  yield { file, index: 0, object: value as Record<string, unknown>, position: (p) => at(positions.offsetOf(splitPath(p))) };
}

/** Splits `spec.containers[0].resources.limits["nvidia.com/gpu"]` into keys and indexes. */
export function splitPath(fieldPath: string): Array<string | number> {
  const out: Array<string | number> = [];
  for (const m of fieldPath.matchAll(/\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|([^.[\]]+)/g)) {
    if (m[1] !== undefined) out.push(Number(m[1]));
    else if (m[2] !== undefined) out.push(JSON.parse(m[2]));
    else out.push(m[3]);
  }
  return out;
}

function positionOf(doc: Document, lineCounter: LineCounter, fieldPath: string): { line: number; column: number } {
  let node: unknown = doc.contents;
  let at: unknown = node; // the key of the deepest field found, or the node itself
  for (const key of splitPath(fieldPath)) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
      if (!pair) break;
      at = pair.key;
      node = pair.value;
    } else if (isSeq(node) && typeof key === "number" && key < node.items.length) {
      node = node.items[key];
      at = node;
    } else break;
  }
  const offset = (at as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

function lineOf(node: unknown, lineCounter: LineCounter): number | undefined {
  const offset = (node as { range?: [number] } | null)?.range?.[0];
  return offset === undefined ? undefined : lineCounter.linePos(offset).line;
}
