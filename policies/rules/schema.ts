/** JSON Schema fragments shared by every rule's `configSchema` (the same schemas the pack publishes). */
import { DEFAULT_EXCLUDED_NAMESPACES } from "./defaults";

/** Kubernetes quantity grammar, for validating configuration values before a rule reads them. */
export const QUANTITY_PATTERN = "^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?$";

export const commonSchema = {
  excludeNamespaces: {
    type: "array",
    items: { type: "string" },
    default: DEFAULT_EXCLUDED_NAMESPACES,
    description: "Namespaces whose workloads this rule skips.",
  },
};
