/**
 * `crashguard diagnose -f pods.json [--events events.json] [--now T] [--since 1h]` — the
 * verifier's diagnosis, offline, on `kubectl get pods,events -o json` (a List of pods, with the
 * events in the same List or in `--events`; `-` reads stdin). Time-aware: stalls are judged by
 * their age at `--now` (default the current time) with the verifier's graces. JSON output is
 * `{ pods: PodDiagnosis[], failing: number, now: string }`. Exit 0 all healthy, 1 any pod failing, 2 bad input.
 */
import { readFileSync } from "node:fs";
import type { Event, Pod } from "kubernetes-types/core/v1";
import { isObject } from "../policies/rules/read";
import { diagnosePod, isFailing, podEventIndex } from "../verify/diagnosis";
import { text } from "../verify/read";
import { createFailureFix } from "../verify/remedy";
import type { Fix } from "../verify/types";
import { seconds } from "./verify";
import { ANSI, PLAIN, renderPod } from "../verify/report";
import type { Command, CommandIO } from "./main";
import { parseCommand } from "./args";

const USAGE = `usage: crashguard diagnose -f PODS.json [--events EVENTS.json] [--now TIME] [--since 1h] [--output text|json]

Explains failing pods from \`kubectl get pods,events -o json\` (or pods and
\`kubectl get events -o json\` in --events), offline. -f - reads standard input.
Stalls (Unschedulable, ContainerCreating, readiness never passing, a lost node)
fail a pod once they have lasted past the verifier's graces, judged at --now
(an RFC 3339 time; default now — pass the dump's time for reproducible runs).
A restart fails a pod (crashguard's criterion is Ready without restarts);
--since 1h counts only restarts that ended within the last hour and reports
older ones separately.
Exit 0 all pods healthy, 1 any pod failing, 2 unreadable input or bad usage.`;

const OPTIONS = {
  file: { type: "string", short: "f" },
  events: { type: "string" },
  now: { type: "string" },
  since: { type: "string" },
} as const;

class InputError extends Error {}

export const main: Command = async (argv, io) => {
  const args = parseCommand("diagnose", USAGE, argv, io, OPTIONS, ["text", "json"]);
  if ("exit" in args) return args.exit;
  const { values, output } = args;
  if (args.positionals.length > 0 || !values.file) {
    const problem = values.file ? `unexpected argument "${args.positionals[0]}"; name the dump with -f` : "-f FILE is required";
    io.stderr(`crashguard diagnose: ${problem}\n\n${USAGE}\n`);
    return 2;
  }
  let pods: Pod[];
  let events: Event[];
  let now: number;
  let sinceSeconds: number | undefined;
  try {
    now = values.now === undefined ? Date.now() : timeFlag(values.now);
    sinceSeconds = values.since === undefined ? undefined : seconds(values.since, "--since");
    const dump = objectsOf(await read(values.file, io), values.file, values.events ? ["Pod"] : ["Pod", "Event"], io);
    pods = dump.filter((o) => o.kind !== "Event") as Pod[];
    events = values.events
      ? (objectsOf(await read(values.events, io), values.events, ["Event"], io) as Event[])
      : (dump.filter((o) => o.kind === "Event") as Event[]);
  } catch (err) {
    io.stderr(`crashguard diagnose: ${err instanceof Error && err.name !== "TypeError" ? err.message : String(err)}\n`);
    return 2;
  }
  const eventsOf = podEventIndex(events);
  const diagnoses = pods.map((p) => diagnosePod(p, eventsOf(p), { now, ...(sinceSeconds !== undefined ? { sinceSeconds } : {}) }));
  const controllers = controllerFailures(events);
  const failing = diagnoses.filter(isFailing);
  const at = new Date(now).toISOString();
  if (output === "json") {
    io.stdout(
      JSON.stringify({ pods: diagnoses, failing: failing.length, now: at, ...(controllers.length ? { controllers } : {}) }, null, 2) + "\n",
    );
  } else {
    const style = io.isTTY && !io.env.NO_COLOR ? ANSI : PLAIN;
    const healthy = diagnoses.length - failing.length;
    const waiting = diagnoses.filter((d) => !isFailing(d) && d.waiting?.length);
    const terminating = diagnoses.filter((d) => d.terminating).length;
    const summary = `${failing.length} of ${diagnoses.length} pods failing, ${healthy} without failures${waiting.length ? ` (${waiting.length} still waiting)` : ""}${terminating ? `, ${terminating} terminating` : ""}${values.now !== undefined ? ` at ${at}` : ""}`;
    const refused = controllers.map(
      (c) => `  ${c.object}  ${style.red(c.reason)}\n    why: ${c.message}\n    fix: ${c.fix.path}\n         ${c.fix.text}`,
    );
    io.stdout([summary, ...refused, ...failing.map((d) => renderPod(d, style)), ...waiting.map((d) => renderPod(d, style)), ""].join("\n"));
  }
  return failing.length > 0 || controllers.length > 0 ? 1 : 0;
};

/** Controllers that said they cannot create pods (quota, admission): no pod exists to explain it. */
function controllerFailures(events: Event[]): { object: string; reason: string; message: string; fix: Fix }[] {
  const byObject = new Map<string, { object: string; reason: string; message: string; fix: Fix }>();
  for (const e of events) {
    const involved = isObject(e?.involvedObject) ? e.involvedObject : undefined;
    if (!involved || involved.kind === "Pod" || e.reason !== "FailedCreate") continue;
    const object = `${text(involved.kind) ?? "?"} ${text(involved.namespace) ?? "?"}/${text(involved.name) ?? "?"}`;
    const message = (text(e.message) ?? "").trim();
    byObject.set(object, { object, reason: "FailedCreate", message, fix: createFailureFix(message) });
  }
  return [...byObject.values()];
}

function timeFlag(value: string): number {
  const t = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || !Number.isFinite(t))
    throw new InputError(`--now "${value}" is not an RFC 3339 time like 2026-11-25T10:00:00Z`);
  return t;
}

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

/** The objects of the accepted kinds in one object or a List; items without a kind count as the first kind. */
function objectsOf(doc: unknown, file: string, kinds: ("Pod" | "Event")[], io: CommandIO): { kind?: unknown }[] {
  const name = file === "-" ? "standard input" : `"${file}"`;
  const d = isObject(doc) ? (doc as { kind?: unknown; items?: unknown }) : undefined;
  const accepted = (kind: unknown) => kinds.some((k) => k === kind);
  if (accepted(d?.kind)) return [d!];
  if (d && Array.isArray(d.items)) {
    const kept: { kind?: unknown }[] = [];
    d.items.forEach((item: unknown, i: number) => {
      const itemKind = isObject(item) ? (item as { kind?: unknown }).kind : undefined;
      if (isObject(item) && (accepted(itemKind) || itemKind === undefined)) kept.push(item as { kind?: unknown });
      else
        io.stderr(
          `crashguard diagnose: ${name} items[${i}] is ${isObject(item) ? `a ${String(itemKind)}, not a ${kinds.join(" or ")}` : `not an object (${item === null ? "null" : typeof item})`}; skipped\n`,
        );
    });
    return kept;
  }
  const kind = kinds[0];
  throw new InputError(
    `${name} holds neither a ${kind} nor a List of them (kind: ${typeof d?.kind === "string" ? d.kind : "none"}): pass the output of \`kubectl get ${kind === "Pod" ? "pods,events" : "events"} -o json\``,
  );
}
