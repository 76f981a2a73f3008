/**
 * One conversion of a resource's inputs for all the pack's policies.
 *
 * @pulumi/policy's Analyze handler converts the request's inputs from protobuf to plain JavaScript
 * once per policy (`makeAnalyzeRpcFun` in
 * https://github.com/pulumi/pulumi-policy/blob/master/sdk/nodejs/policy/server.ts calls
 * `deserializeProperties(req.getProperties(), false)` inside its loop over policies). With one
 * policy per rule that is the same conversion seven times per resource, the largest share of the
 * pack's cost. The pack's policies only read their inputs, so the conversion is shared: it is
 * remembered per request Struct, which the generated protobuf code hands out as the same object on
 * every `getProperties()` call of a request, and forgotten with the request.
 *
 * The shared conversion also keeps Pulumi secrets marked (as the SDK does for remediation), where
 * the SDK would hand validators their plain values: the rules then neither judge nor print a value
 * the user marked secret (a secret memory limit is "set", and shown as [secret] in a fix).
 *
 * Remediation (`proxySecrets: true`) still gets its own conversion, as it may rewrite the inputs.
 * Should a later @pulumi/policy stop exporting the function, nothing is replaced and every policy
 * converts the inputs itself, as before: slower, and secret values are plain again to the rules.
 */
// The function is internal to the SDK (its declaration file exports nothing), hence the untyped module.
import deserialize = require("@pulumi/policy/deserialize");

type Deserialize = (struct: object, proxySecrets: boolean) => unknown;

export function shareInputConversion(module: { deserializeProperties?: unknown } = deserialize as never): boolean {
  const convert = module.deserializeProperties;
  if (typeof convert !== "function" || (convert as { shared?: true }).shared) return false;
  const converted = new WeakMap<object, unknown>();
  const shared = Object.assign(
    (struct: object, proxySecrets: boolean): unknown => {
      if (proxySecrets || struct === null || typeof struct !== "object") return (convert as Deserialize)(struct, proxySecrets);
      // One lookup per policy: a conversion is always an object, so undefined means none yet.
      let inputs = converted.get(struct);
      if (inputs === undefined) {
        inputs = (convert as Deserialize)(struct, true);
        converted.set(struct, inputs);
      }
      return inputs;
    },
    { shared: true as const },
  );
  try {
    module.deserializeProperties = shared;
  } catch {
    return false; // a frozen module: every policy converts the inputs itself
  }
  return module.deserializeProperties === shared;
}
