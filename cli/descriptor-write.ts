/**
 * Output straight to a file descriptor. `process.stdout` and `process.stderr` are streams built on
 * first use, and building one loads Node's stream modules (and tty and net for a terminal or a
 * pipe): milliseconds that a short command like `lint` would spend before writing a line.
 */
import { writeSync } from "node:fs";

/**
 * A writer to `fd` with `fs.writeSync`, the way Node's own stdio stream writes to a file
 * (https://github.com/nodejs/node/blob/v22.x/lib/internal/fs/sync_write_stream.js). A descriptor that
 * refuses a write — a non-blocking pipe full (EAGAIN), a reader gone (EPIPE) — hands that write's
 * rest and every later write to `stream()`, so such cases behave as they do with the stream alone.
 */
export function descriptorWriter(fd: number, stream: () => NodeJS.WritableStream): (text: string) => void {
  let viaStream = false;
  return (text) => {
    if (viaStream) {
      stream().write(text);
      return;
    }
    const bytes = Buffer.from(text, "utf8");
    let written = 0;
    try {
      while (written < bytes.length) written += writeSync(fd, bytes, written);
    } catch {
      viaStream = true;
      stream().write(bytes.subarray(written));
    }
  };
}
