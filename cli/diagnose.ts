/**
 * `crashguard diagnose -f pods.json [--events events.json]` — the verifier's diagnosis, offline,
 * on `kubectl get pods -o json` (a List or one Pod; `-` reads stdin). JSON output is
 * `{ pods: PodDiagnosis[], failing: number }`. Exit 0 all healthy, 1 any pod failing, 2 bad input.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Event, Pod } from "kubernetes-types/core/v1";
import { isObject } from "../policies/rules/read";
import { diagnosePod, isFailing } from "../verify/diagnosis";
import { ANSI, PLAIN, renderPod } from "../verify/report";
import type { Command, CommandIO } from "./main";

const USAGE = `usage: crashguard diagnose -f PODS.json [--events EVENTS.json] [--output text|json]

Explains failing pods from \`kubectl get pods -o json\` (and optionally
\`kubectl get events -o json\`), offline. -f - reads standard input.
Exit 0 all pods healthy, 1 any pod failing, 2 unreadable input or bad usage.
`;

class InputError extends Error {}

export const main: Command = async (argv, io) => {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: { file: { type: "string", short: "f" }, events: { type: "string" }, output: { type: "string", short: "o", default: "text" }, help: { type: "boolean", short: "h" } },
    }).values;
  } catch (err) {
    io.stderr(`crashguard diagnose: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  if (!values.file || (values.output !== "text" && values.output !== "json")) {
    io.stderr(`crashguard diagnose: ${values.file ? `--output must be text or json, not "${values.output}"` : "-f FILE is required"}\n\n${USAGE}`);
    return 2;
  }
  let pods: Pod[];
  let events: Event[];
  try {
    pods = objectsOf<Pod>(await read(values.file, io), values.file, "Pod", io);
    events = values.events ? objectsOf<Event>(await read(values.events, io), values.events, "Event", io) : [];
  } catch (err) {
    io.stderr(`crashguard diagnose: ${err instanceof InputError ? err.message : String(err)}\n`);
    return 2;
  }
  const diagnoses = pods.map((p) => diagnosePod(p, events));
  const failing = diagnoses.filter(isFailing);
  if (values.output === "json") {
    io.stdout(JSON.stringify({ pods: diagnoses, failing: failing.length }, null, 2) + "\n");
  } else {
    const style = io.isTTY && !io.env.NO_COLOR ? ANSI : PLAIN;
    const healthy = diagnoses.length - failing.length;
    io.stdout([`${failing.length} of ${diagnoses.length} pods failing, ${healthy} without failures`, ...failing.map((d) => renderPod(d, style)), ""].join("\n"));
  }
  return failing.length > 0 ? 1 : 0;
};

async function read(file: string, io: CommandIO): Promise<unknown> {
  const name = file === "-" ? "standard input" : `"${file}"`;
  let text: string;
  try {
    text = file === "-" ? await io.readStdin() : readFileSync(file, "utf8");
  } catch (err) {
    throw new InputError(`cannot read ${name}: ${(err as NodeJS.ErrnoException).code ?? "unreadable"}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError(`${name} is not JSON: pass the output of \`kubectl get pods -o json\``);
  }
}

function objectsOf<T>(doc: unknown, file: string, kind: "Pod" | "Event", io: CommandIO): T[] {
  const name = file === "-" ? "standard input" : `"${file}"`;
  const d = isObject(doc) ? (doc as { kind?: unknown; items?: unknown }) : undefined;
  if (d?.kind === kind) return [d as T];
  if (d && Array.isArray(d.items)) {
    const kept: T[] = [];
    d.items.forEach((item: unknown, i: number) => {
      const itemKind = isObject(item) ? (item as { kind?: unknown }).kind : undefined;
      if (isObject(item) && (itemKind === kind || itemKind === undefined)) kept.push(item as T);
      else io.stderr(`crashguard diagnose: ${name} items[${i}] is ${isObject(item) ? `a ${String(itemKind)}, not a ${kind}` : `not an object (${item === null ? "null" : typeof item})`}; skipped\n`);
    });
    return kept;
  }
  throw new InputError(`${name} holds neither a ${kind} nor a List of them (kind: ${typeof d?.kind === "string" ? d.kind : "none"}): pass the output of \`kubectl get ${kind === "Pod" ? "pods" : "events"} -o json\``);
}
