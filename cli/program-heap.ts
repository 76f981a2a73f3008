/**
 * The program child's heap while a program's resources register.
 *
 * A program declares its resources before the first of them registers, so the heap climbs while
 * they wait — for 1,000 Workloads to ~330 MB, nearly all of it the Pulumi SDK's pending Outputs —
 * and then falls as they register, each leaving garbage behind. On a machine with memory to spare
 * V8 sets the next collection at up to four times what survived the last, and the last was before
 * the climb, so the heap grew to ~560 MB of which half was garbage: the child peaked at 656–692 MB
 * (bench/check.ts). Holding V8 to 25 % growth from the start brought that to 516–569 MB
 * but collected again and again during the climb, where there is nothing to free: 1–2.5 CPU-s more.
 * So the runner collects once, when the first resource registers (the climb is over), and from then
 * on lets the heap grow by 20 % between collections: 534–540 MB in 21.0–24.4 CPU-s for the whole
 * `check`, against 656–692 MB in 20.1–25.1 CPU-s with V8's own growth (six runs each, alternating).
 */
import * as v8 from "node:v8";
import * as vm from "node:vm";

const HEAP_GROWING_PERCENT = 20;

/** What to call at each registration: the first collects and tightens the heap's growth, the rest do nothing. */
export function tightenHeapAtFirstRegistration(): () => void {
  let tightened = false;
  return () => {
    if (tightened) return;
    tightened = true;
    v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
    // As Node documents for v8.setFlagsFromString: `gc` exists only in contexts made while the flag is set.
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as () => void;
    v8.setFlagsFromString("--no-expose-gc");
    gc();
  };
}
