/** How findings name a container: its kind in the pod spec, then its name. */
import type { ContainerRef } from "./types";

/** `container "api"`, `init container "migrate"`, `sidecar "proxy"`. */
export function describeContainer(c: ContainerRef): string {
  const what = c.kind === "container" ? "container" : c.kind === "init" ? "init container" : "sidecar";
  return `${what} "${c.name}"`;
}
