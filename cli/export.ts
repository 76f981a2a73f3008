/**
 * `crashguard export admission-policies`: the pack's rules as ValidatingAdmissionPolicies and
 * bindings (Kubernetes ≥ 1.30), for `kubectl apply -f -`, so workloads that never pass through
 * `pulumi preview` meet the same rules. See docs/admission.md for what is and is not enforced there.
 */
import { stringify } from "yaml";
import type { Command } from "./main";
import { parseCommand } from "./args";
import { PolicyConfigError, readPolicyConfig, ruleSettings } from "./policy-config";
import { admissionPolicies, MIN_KUBERNETES_VERSION } from "../admission";

const USAGE = `usage: crashguard export admission-policies [--policy-pack-config FILE] [--param-namespace NS]
                                            [--check-controller-owned] [-o yaml|json]

Prints a ValidatingAdmissionPolicy and a binding for each rule that can run in the API server
(Kubernetes ${MIN_KUBERNETES_VERSION} or later), and the ConfigMap of bounds they read, ready for
\`kubectl apply -f -\`. The config file is the one given to \`pulumi preview --policy-pack-config\`:
mandatory rules deny, advisory rules warn and audit, disabled rules are left out.
  --param-namespace NS       namespace of the bounds ConfigMap (default kube-system)
  --check-controller-owned   also check pods and Jobs a controller owns (see docs/admission.md)
  -o yaml|json               a YAML stream (default), or a JSON List`;

export const main: Command = async (argv, io) => {
  const args = parseCommand(
    "export",
    USAGE,
    argv,
    io,
    {
      "policy-pack-config": { type: "string" },
      "param-namespace": { type: "string" },
      "check-controller-owned": { type: "boolean" },
    },
    ["yaml", "json"],
  );
  if ("exit" in args) return args.exit;
  if (args.positionals.length !== 1 || args.positionals[0] !== "admission-policies") {
    io.stderr(`crashguard export: say what to export: admission-policies\n\n${USAGE}\n`);
    return 2;
  }
  const configFile = args.values["policy-pack-config"];
  let objects;
  try {
    const { levels, configs } = ruleSettings(configFile ? readPolicyConfig(configFile) : {});
    objects = admissionPolicies({
      levels,
      configs,
      paramNamespace: args.values["param-namespace"],
      checkControllerOwned: args.values["check-controller-owned"],
    });
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    const where = err instanceof PolicyConfigError ? "cannot read the policy config" : `${configFile ?? "the default config"}`;
    io.stderr(`crashguard export: ${where}: ${err.message}\n`);
    return 2;
  }
  if (args.output === "json") io.stdout(JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }, null, 2) + "\n");
  else io.stdout(objects.map((o) => stringify(o, { aliasDuplicateObjects: false, lineWidth: 0 })).join("---\n"));
  return 0;
};
