/**
 * Commands write their output straight to the descriptor (cli/descriptor-write.ts): what arrives
 * is exactly the text, and a descriptor that refuses hands the output to the stream instead.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { descriptorWriter } from "../../cli/descriptor-write";

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
