/**
 * The pack's remediate mode for resources-required: missing requests and limits filled in, for
 * charts users cannot edit, as AKS Deployment Safeguards' mutator does. It fills with
 * `rules/fill.ts`, as the components' `withDefaults()` transform does, and never overwrites a value
 * that is set, including an invalid one, which the validators then report with its fix.
 */
import { notCoveredByPod, podTemplates, resourcesToFill } from "./rules";
import { clonePlain, fillContainerResources } from "./rules/fill";
import type { ResourcesRequiredConfig } from "./rules/types";

/** A copy of `props` with missing resources filled in as `resources-required` is configured, or undefined when nothing was missing. */
export function fillMissingResources(props: unknown, typeToken: string, config: ResourcesRequiredConfig): unknown {
  const wanted = resourcesToFill(config);

  const copy = clonePlain(props);
  let changed = false;
  for (const template of podTemplates(copy, { typeToken })) {
    if (template.partial) continue;
    const fill = notCoveredByPod(wanted, template.podResources);
    for (const c of template.containers) changed = fillContainerResources(c.spec, fill) || changed;
  }
  return changed ? copy : undefined;
}
