/** Text from bytes as YAML and JSON files come: kubectl on Windows PowerShell, for one, writes UTF-16. */

/**
 * UTF-8, or UTF-16 (with a byte order mark, or recognised by the NUL bytes beside ASCII as
 * RFC 4627 §3 does) — the encodings the YAML spec requires parsers to accept
 * (https://yaml.org/spec/1.2.2/#52-character-encodings). A UTF-8 BOM is dropped.
 */
export function decodeText(buf: Buffer): string {
  if (buf[0] === 0xff && buf[1] === 0xfe) return buf.subarray(2).toString("utf16le");
  if (buf[0] === 0xfe && buf[1] === 0xff) return swapBytes(buf.subarray(2)).toString("utf16le");
  if (buf.length >= 4 && buf.length % 2 === 0 && buf[0] !== 0 && buf[1] === 0 && buf[3] === 0) return buf.toString("utf16le");
  if (buf.length >= 4 && buf.length % 2 === 0 && buf[0] === 0 && buf[1] !== 0 && buf[2] === 0) return swapBytes(buf).toString("utf16le");
  const text = buf.toString("utf8");
  return text.startsWith("\ufeff") ? text.slice(1) : text;
}

function swapBytes(buf: Buffer): Buffer {
  const out = Buffer.from(buf.subarray(0, buf.length - (buf.length % 2)));
  return out.swap16();
}
