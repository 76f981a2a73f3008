import type { Command } from "./main";

export const main: Command = async (_argv, io) => {
  io.stderr("crashguard: this command is not implemented yet\n");
  return 2;
};
