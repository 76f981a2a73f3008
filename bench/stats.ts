/**
 * Shared measuring for the benches. Two shared cores make single runs noisy and load drifts over a
 * run, so a comparison alternates its two sides (A, B, A, B…) and reports the median of each
 * pair's ratio: drift lands on both halves of a pair alike instead of in the ratio.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";

/** The middle value of a few runs: the median ignores the outlier. */
export function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

/** Wall and CPU (user + system, this process) seconds of one run. */
export interface Sample {
  wall: number;
  cpu: number;
}

export async function measure(work: () => unknown): Promise<Sample> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await work();
  const used = process.cpuUsage(cpu);
  return { wall: (performance.now() - start) / 1000, cpu: (used.user + used.system) / 1e6 };
}

export interface Paired<S extends Sample = Sample> {
  a: S[];
  b: S[];
  /** Median over the pairs of b/a, by wall and by CPU time. */
  wallRatio: number;
  cpuRatio: number;
}

/** Runs `a` then `b`, `rounds` times, and compares each `b` with the `a` just before it. */
export async function paired<S extends Sample>(rounds: number, a: () => Promise<S>, b: () => Promise<S>): Promise<Paired<S>> {
  return (await pairedEach(rounds, a, [b]))[0];
}

/**
 * Runs `a` then each of `others` in turn, `rounds` times (A, B, C, A, B, C…), and compares each
 * other side with the `a` of its round: one pairing per other side.
 */
export async function pairedEach<S extends Sample>(
  rounds: number,
  a: () => Promise<S>,
  others: (() => Promise<S>)[],
): Promise<Paired<S>[]> {
  const as: S[] = [];
  const bs: S[][] = others.map(() => []);
  for (let i = 0; i < rounds; i++) {
    as.push(await a());
    for (const [j, other] of others.entries()) bs[j].push(await other());
  }
  return bs.map((b) => {
    const ratio = (key: keyof Sample) => median(as.map((s, i) => b[i][key] / s[key]));
    return { a: as, b, wallRatio: ratio("wall"), cpuRatio: ratio("cpu") };
  });
}

/** `0.52 s wall / 0.61 CPU-s` for the median sample of a side. */
export function describe(samples: Sample[]): string {
  return `${median(samples.map((s) => s.wall)).toFixed(3)} s wall / ${median(samples.map((s) => s.cpu)).toFixed(3)} CPU-s (median of ${samples.length})`;
}

/** A child process's wall time, CPU time and peak resident memory, as GNU time reports them. */
export interface ProcessSample extends Sample {
  peakMB: number;
  code: number;
}

/** Runs a command to completion under `/usr/bin/time`, which reads the child's own rusage. */
export function runProcess(command: string, args: string[], options: { cwd?: string } = {}): ProcessSample {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crashguard-bench-time-"));
  const report = path.join(dir, "time");
  try {
    const start = performance.now();
    const child = spawnSync("/usr/bin/time", ["-o", report, "-f", "%U %S %M", command, ...args], {
      cwd: options.cwd,
      stdio: ["ignore", "ignore", "pipe"],
    });
    const wall = (performance.now() - start) / 1000; // finer than GNU time's hundredths
    const [user, system, peakKB] = fs.readFileSync(report, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
    return { wall, cpu: user + system, peakMB: peakKB / 1024, code: child.status ?? -1 };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** CPU seconds (user + system) another process has used so far, from /proc (Linux). */
export function processCpuSeconds(pid: number): number {
  // Fields 14 and 15 of /proc/<pid>/stat, in clock ticks of 1/100 s; the command name (field 2) may hold spaces.
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
