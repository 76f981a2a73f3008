import type { CommandIO } from "../../cli/main";

/** A CommandIO that records what a command prints, for in-process CLI tests. */
export function fakeIO(options: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): CommandIO & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    env: options.env ?? {},
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
    readStdin: async () => options.stdin ?? "",
  };
  return io;
}
