/**
 * Shared measuring for the benches. Two shared cores make single runs noisy and load drifts over a
 * run, so a comparison alternates its two sides (A, B, A, B…) and reports the median of each
 * pair's ratio: drift lands on both halves of a pair alike instead of in the ratio.
 */
import { performance } from "perf_hooks";

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

export interface Paired {
  a: Sample[];
  b: Sample[];
  /** Median over the pairs of b/a, by wall and by CPU time. */
  wallRatio: number;
  cpuRatio: number;
}

/** Runs `a` then `b`, `rounds` times, and compares each `b` with the `a` just before it. */
export async function paired(rounds: number, a: () => Promise<Sample>, b: () => Promise<Sample>): Promise<Paired> {
  const as: Sample[] = [];
  const bs: Sample[] = [];
  for (let i = 0; i < rounds; i++) {
    as.push(await a());
    bs.push(await b());
  }
  const ratio = (key: keyof Sample) => median(as.map((s, i) => bs[i][key] / s[key]));
  return { a: as, b: bs, wallRatio: ratio("wall"), cpuRatio: ratio("cpu") };
}

/** `0.52 s wall / 0.61 CPU-s` for the median sample of a side. */
export function describe(samples: Sample[]): string {
  return `${median(samples.map((s) => s.wall)).toFixed(3)} s wall / ${median(samples.map((s) => s.cpu)).toFixed(3)} CPU-s (median of ${samples.length})`;
}
