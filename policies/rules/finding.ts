/**
 * How a rule makes a finding: its fix is YAML rendered from plain data, and a fix
 * that needs a decision only the user can make carries a note saying what to decide.
 */
import type { Finding } from "./types";
import { isObject, isUnknown } from "./read";
import { SECRET, isSecretValue } from "./handlers";
import { yamlText } from "./snippet";

/** A fix that needs a decision only the user can make: what to decide, above what is certain. */
const NOTE = Symbol("note");
interface Noted {
  [NOTE]: string;
  value: unknown;
}

export function note(text: string, value?: unknown): Noted {
  return { [NOTE]: text, value };
}

function shown(v: unknown): unknown {
  return isUnknown(v) ? "(known after apply)" : isSecretValue(v) ? SECRET : v;
}

export function yamlSnippet(fix: unknown): string {
  const noted = isObject(fix) && NOTE in fix ? (fix as unknown as Noted) : undefined;
  const value = noted ? noted.value : fix;
  // Values unknown during preview would show as Pulumi's sentinel strings; show them for what they are.
  // Secret values never leave the object they are in.
  const yaml = value === undefined ? "" : yamlText(value, shown);
  return noted ? [`# ${noted[NOTE]}`, yaml].filter(Boolean).join("\n") : yaml;
}

/** A finding whose `fix` is the YAML of `fixData`. */
export function finding(base: Omit<Finding, "fix">, fixData?: unknown): Finding {
  if (fixData === undefined) return base;
  (base as Finding).fix = yamlSnippet(fixData);
  return base;
}
