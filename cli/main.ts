/**
 * The `crashguard` command line: `check | lint | verify | diagnose`.
 * Exit codes (every command): 0 = fine, 1 = violations / failed rollout, 2 = bad usage,
 * unreadable input or API error.
 */
import { descriptorWriter } from "./descriptor-write";
import { terminalSafe } from "./terminal";
import { decodeText } from "./text-encoding";

export interface CommandIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Whether stdout is a terminal: colour only then, and never with NO_COLOR set. */
  isTTY?: boolean;
  /** Standard input, read whole and decoded as files are (UTF-8, or UTF-16 by its BOM); used by commands that accept `-`. */
  readStdin: () => Promise<string>;
}

export type Command = (argv: string[], io: CommandIO) => Promise<number>;

/**
 * Every command's output reaches stdout and stderr through {@link terminalSafe}. JSON.stringify
 * already escapes C0 controls and ESC; the C1 and bidi characters it leaves raw are removed here.
 */
function safeIO(io: CommandIO): CommandIO {
  return {
    stdout: (t) => io.stdout(terminalSafe(t)),
    stderr: (t) => io.stderr(terminalSafe(t)),
    env: io.env,
    // Read when a command asks: finding out builds process.stdout (see processIO).
    get isTTY() {
      return io.isTTY;
    },
    readStdin: io.readStdin,
  };
}

/**
 * Each command lives in its own module, loaded only when it is run. `require`, not `import()`: the
 * bundled CLI (scripts/bundle-cli.js) runs as a plain script, where only `require` resolves
 * the commands kept beside it.
 */
const commands: Record<string, { summary: string; load: () => Command }> = {
  check: {
    summary: "preview a Pulumi program's resources against the policy pack, no cloud needed",
    load: () => (require("./check") as typeof import("./check")).main,
  },
  lint: {
    summary: "lint Kubernetes YAML/JSON manifests (files, directories or -) with the same rules",
    load: () => (require("./lint") as typeof import("./lint")).main,
  },
  verify: {
    summary: "watch a rollout and fail fast when a new pod restarts or crash-loops",
    load: () => (require("./verify") as typeof import("./verify")).main,
  },
  diagnose: {
    summary: "explain failing pods from a `kubectl get pods -o json` dump, offline",
    load: () => (require("./diagnose") as typeof import("./diagnose")).main,
  },
  export: {
    summary: "print the rules as Kubernetes ValidatingAdmissionPolicies (export admission-policies)",
    load: () => (require("./export") as typeof import("./export")).main,
  },
};

export function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return [
    "usage: crashguard <command> [options]",
    "",
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    "",
    "Run `crashguard <command> --help` for a command's options.",
  ].join("\n");
}

export async function run(argv: string[], rawIO: CommandIO): Promise<number> {
  const io = safeIO(rawIO);
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.stdout(usage() + "\n");
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    io.stderr(`crashguard: unknown command "${name}"\n\n${usage()}\n`);
    return 2;
  }
  try {
    return await command.load()(rest, io);
  } catch (err) {
    // Commands report their own errors; this is the last guard against a stack trace.
    io.stderr(`crashguard ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
}

/**
 * The process's output, written straight to its descriptor so the streams are built only when a
 * command needs them (cli/descriptor-write.ts says why) — except on Windows, where only the stream
 * shows text in a console as Unicode (libuv writes a console with WriteConsoleW, a file write with
 * the console's code page).
 */
function processWriter(fd: 1 | 2, stream: () => NodeJS.WritableStream): (text: string) => void {
  return process.platform === "win32" ? (text) => void stream().write(text) : descriptorWriter(fd, stream);
}

export const processIO: CommandIO = {
  stdout: processWriter(1, () => process.stdout),
  stderr: processWriter(2, () => process.stderr),
  env: process.env,
  get isTTY() {
    return process.stdout.isTTY;
  },
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return decodeText(Buffer.concat(chunks));
  },
};

if (require.main === module) {
  run(process.argv.slice(2), processIO).then((code) => {
    process.exitCode = code;
  });
}
