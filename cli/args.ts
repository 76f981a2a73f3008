import { parseArgs, type ParseArgsConfig } from "node:util";
import type { CommandIO } from "./main";

type Options = NonNullable<ParseArgsConfig["options"]>;
type Values<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true }>>["values"];

/**
 * The options every command shares, read one way: `--help` prints the usage (exit 0); an unknown
 * option or an `--output` the command does not write prints why and the usage (exit 2).
 */
export function parseCommand<O extends Options>(
  command: string,
  usage: string,
  argv: string[],
  io: CommandIO,
  options: O,
  outputs: readonly string[],
): { values: Values<O>; positionals: string[]; output: string } | { exit: number } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { ...options, output: { type: "string", short: "o", default: outputs[0] }, help: { type: "boolean", short: "h" } },
    });
  } catch (err) {
    io.stderr(`crashguard ${command}: ${(err as Error).message}\n\n${usage}\n`);
    return { exit: 2 };
  }
  const shared = parsed.values as { help?: boolean; output?: string };
  if (shared.help) {
    io.stdout(usage + "\n");
    return { exit: 0 };
  }
  const output = String(shared.output);
  if (!outputs.includes(output)) {
    io.stderr(
      `crashguard ${command}: --output must be ${outputs.slice(0, -1).join(", ")} or ${outputs[outputs.length - 1]}, not ${JSON.stringify(output)}\n`,
    );
    return { exit: 2 };
  }
  return { values: parsed.values as Values<O>, positionals: parsed.positionals, output };
}
