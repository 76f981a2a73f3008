/**
 * `crashguard verify deployment/NAME -n NS` — watch a rollout and fail fast when a new pod
 * restarts or crash-loops. Progress on stderr, verdict on stdout (text, or JSON: the `Verdict`
 * object of verify/types.ts). Exit 0 verified, 1 rollout failed, 2 usage / kubeconfig / API error.
 */
import { KubeconfigError, loadConnection } from "../verify/kubeconfig";
import { MAX_TIMER_MS } from "../verify/backoff";
import { ApiError, scrub } from "../verify/kube-client";
import { ANSI, PLAIN, renderVerdict } from "../verify/report";
import { DEFAULT_TIMEOUT_SECONDS, verifyRollout } from "../verify/rollout";
import type { WorkloadRef } from "../verify/types";
import type { Command } from "./main";
import { parseCommand } from "./args";

const USAGE = `usage: crashguard verify (deployment|statefulset|daemonset)/NAME [-n NAMESPACE]
  [--context CTX] [--kubeconfig FILE] [--timeout 5m] [--stable-for 30s]
  [--unschedulable-grace 15s] [--generation N] [--output text|json]

Watches the newest revision's pods until all are Running and Ready with 0 restarts for the
stabilization window (default: the liveness probe's periodSeconds x failureThreshold, at least
10s), and fails as soon as one restarts, crash-loops, cannot pull its image, misses a Secret,
or stays unschedulable. Exit 0 verified, 1 rollout failed, 2 usage, kubeconfig or API error.`;

const OPTIONS = {
  namespace: { type: "string", short: "n" },
  context: { type: "string" },
  kubeconfig: { type: "string" },
  timeout: { type: "string" },
  "stable-for": { type: "string" },
  "unschedulable-grace": { type: "string" },
  generation: { type: "string" },
} as const;

const KINDS: Record<string, WorkloadRef["kind"]> = {
  deployment: "Deployment",
  deployments: "Deployment",
  deploy: "Deployment",
  statefulset: "StatefulSet",
  statefulsets: "StatefulSet",
  sts: "StatefulSet",
  daemonset: "DaemonSet",
  daemonsets: "DaemonSet",
  ds: "DaemonSet",
};

class UsageError extends Error {}

export const main: Command = async (argv, io) => {
  const args = parseCommand("verify", USAGE, argv, io, OPTIONS, ["text", "json"]);
  if ("exit" in args) return args.exit;
  const { values, output } = args;
  let target;
  try {
    target = validate(args.positionals, values);
  } catch (err) {
    io.stderr(`crashguard verify: ${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const style = io.isTTY && !io.env.NO_COLOR ? ANSI : PLAIN;
  let connection;
  try {
    connection = loadConnection({ kubeconfig: values.kubeconfig, context: values.context, env: io.env });
  } catch (err) {
    io.stderr(`crashguard verify: ${err instanceof KubeconfigError ? err.message : String(err)}\n`);
    return 2;
  }
  const workload = { kind: target.kind, name: target.name, namespace: values.namespace ?? connection.namespace ?? "default" };
  try {
    const verdict = await verifyRollout({
      workload,
      connection,
      timeoutSeconds: values.timeout ? seconds(values.timeout, "--timeout") : DEFAULT_TIMEOUT_SECONDS,
      ...(values["stable-for"] ? { stableForSeconds: seconds(values["stable-for"], "--stable-for") } : {}),
      ...(values["unschedulable-grace"]
        ? { unschedulableGraceSeconds: seconds(values["unschedulable-grace"], "--unschedulable-grace") }
        : {}),
      ...(values.generation ? { expectedGeneration: Number(values.generation) } : {}),
      onProgress: (p) => io.stderr(style.dim(`${p.ready}/${p.desired} ready, ${p.restarts} restarts — waiting for ${p.waitingFor}`) + "\n"),
    });
    io.stdout(output === "json" ? JSON.stringify(verdict, null, 2) + "\n" : renderVerdict(verdict, style));
    return verdict.verdict === "succeeded" ? 0 : 1;
  } catch (err) {
    const known = err instanceof ApiError || err instanceof KubeconfigError || err instanceof UsageError;
    io.stderr(`crashguard verify: ${known ? err.message : scrub(String(err), connection)}\n`);
    return 2;
  }
};

/** The workload named as KIND/NAME, once the flags that take values are known to be well formed. */
function validate(
  positionals: string[],
  values: { generation?: string; timeout?: string; "stable-for"?: string; "unschedulable-grace"?: string },
) {
  if (positionals.length !== 1) throw new UsageError("expected exactly one workload, e.g. deployment/payments");
  const [kindName, name, extra] = positionals[0].split("/");
  const kind = KINDS[kindName.toLowerCase()];
  if (!kind || !name || extra !== undefined)
    throw new UsageError(`"${positionals[0]}" is not KIND/NAME with KIND deployment, statefulset or daemonset`);
  if (values.generation && !/^\d+$/.test(values.generation))
    throw new UsageError(`--generation must be a whole number, not "${values.generation}"`);
  for (const flag of ["timeout", "stable-for", "unschedulable-grace"] as const) if (values[flag]) seconds(values[flag]!, `--${flag}`);
  return { kind, name };
}

/**
 * `90`, `90s`, `5m`, `1h`, `1m30s`, `0.5s` → seconds, at most what a Node timer can wait
 * (about 24.8 days): a longer `--timeout 600h` would otherwise fire at once.
 */
export function seconds(text: string, flag: string): number {
  return Math.min(parseDuration(text, flag), Math.floor(MAX_TIMER_MS / 1000) - 1);
}

function parseDuration(text: string, flag: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text)
    throw new UsageError(`${flag} "${text}" is not a duration like 30s, 5m or 1h`);
  const unit = { h: 3600, m: 60, s: 1, ms: 0.001 };
  return parts.reduce((sum, p) => sum + Number(p[1]) * unit[p[2] as keyof typeof unit], 0);
}
