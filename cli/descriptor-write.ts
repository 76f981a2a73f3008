/**
 * Output straight to a file descriptor. `process.stdout` and `process.stderr` are streams built on
 * first use, and building one loads Node's stream modules (and tty and net for a terminal or a
 * pipe): milliseconds that a short command like `lint` would spend before writing a line.
 */
import { writeSync } from "node:fs";

/**
 * A writer to `fd` with `fs.writeSync`, the way Node's own stdio stream writes to a file
 * (https://github.com/nodejs/node/blob/v22.x/lib/internal/fs/sync_write_stream.js). When the reader
 * has gone (EPIPE: `crashguard lint | head`), the rest of the output is dropped, as a program ended
 * by SIGPIPE prints no more; the exit code is unchanged. A descriptor that refuses a write otherwise
 * (a non-blocking pipe that is full answers EAGAIN) hands that write's rest and every later write to
 * `stream()`, which waits until it can write.
 */
export function descriptorWriter(fd: number, stream: () => NodeJS.WritableStream): (text: string) => void {
  let to: "fd" | "stream" | "nowhere" = "fd";
  return (text) => {
    if (to === "stream") stream().write(text);
    if (to !== "fd") return;
    const bytes = Buffer.from(text, "utf8");
    let written = 0;
    try {
      while (written < bytes.length) written += writeSync(fd, bytes, written);
    } catch (err) {
      to = (err as NodeJS.ErrnoException).code === "EPIPE" ? "nowhere" : "stream";
      if (to === "stream") stream().write(bytes.subarray(written));
    }
  };
}
