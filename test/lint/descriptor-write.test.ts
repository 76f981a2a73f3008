/**
 * Commands write their output straight to the descriptor (cli/descriptor-write.ts): what arrives
 * is exactly the text, and a descriptor that refuses hands the output to the stream instead.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { descriptorWriter } from "../../cli/descriptor-write";

const BIN = path.join(__dirname, "..", "..", "bin", "crashguard.js");
const tempFile = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "crashguard-fd-")), "out");
const noStream = () => {
  throw new Error("the stream was used while the descriptor accepted the write");
};

describe("descriptorWriter", () => {
  it("writes every byte of long and non-ASCII text, in order", () => {
    const file = tempFile();
    const fd = fs.openSync(file, "w");
    const write = descriptorWriter(fd, noStream);
    const long = "ä→😀 line\n".repeat(20_000); // well past a pipe's or a single write's buffer
    write("first\n");
    write(long);
    write("last\n");
    fs.closeSync(fd);
    expect(fs.readFileSync(file, "utf8")).toBe(`first\n${long}last\n`);
  });

  it("drops the rest of the output, without a stack trace, when the reader has gone (crashguard lint | head)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crashguard-epipe-"));
    const pod = (i: number) =>
      `apiVersion: v1\nkind: Pod\nmetadata: { name: p${i} }\nspec:\n  containers: [{ name: c, image: "r.example/c:1.0.${i}" }]\n`;
    // Far more findings than a pipe buffers (64 KiB on Linux), so the command is still writing when the reader leaves.
    fs.writeFileSync(path.join(dir, "pods.yaml"), Array.from({ length: 400 }, (_, i) => pod(i)).join("---\n"));
    const child = spawn(process.execPath, [BIN, "lint", dir], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.destroy(); // the reader leaves before reading anything
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const code = await new Promise((resolve) => child.on("close", resolve));
    expect(stderr).toBe("");
    expect(code).toBe(1); // mandatory findings, whether or not anyone read them
  });

  it("hands the output to the stream, from the refused write on, when the descriptor refuses it", () => {
    const file = tempFile();
    fs.writeFileSync(file, "");
    const readOnly = fs.openSync(file, "r"); // writing to it fails with EBADF
    const stream = new PassThrough();
    const write = descriptorWriter(readOnly, () => stream);
    write("one ä\n");
    write("two\n");
    fs.closeSync(readOnly);
    expect(stream.read().toString("utf8")).toBe("one ä\ntwo\n");
    expect(fs.readFileSync(file, "utf8")).toBe("");
  });
});
