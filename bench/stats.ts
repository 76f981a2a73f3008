/** The middle run of a few: on two shared cores single runs are noisy, and the median ignores the outlier. */
export function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}
