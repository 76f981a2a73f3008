/**
 * The pack's policies share one conversion of a request's inputs (policies/shared-inputs.ts). These
 * tests drive @pulumi/policy's own Analyze handler in-process with a request decoded from the wire,
 * as the engine sends it: they fail if the SDK starts converting once per request itself (then the
 * workaround should go) or if sharing ever hands one request's inputs to another.
 */
import { createRequire } from "node:module";
import { shareInputConversion } from "../../policies/shared-inputs";

const policySdk = createRequire(require.resolve("@pulumi/policy/package.json"));
const server = policySdk("./server");
const deserialize = policySdk("./deserialize");
const pulumiSdk = createRequire(require.resolve("@pulumi/pulumi/package.json"));
const pb = pulumiSdk("./proto/analyzer_pb");
const structPb = pulumiSdk("google-protobuf/google/protobuf/struct_pb");

function request(properties: Record<string, unknown>) {
  const req = new pb.AnalyzeRequest();
  req.setType("kubernetes:apps/v1:Deployment");
  req.setName("app");
  req.setUrn("urn:pulumi:dev::app::kubernetes:apps/v1:Deployment::app");
  req.setProperties(structPb.Struct.fromJavaScript(properties));
  req.setOptions(new pb.AnalyzerResourceOptions());
  return pb.AnalyzeRequest.deserializeBinary(req.serializeBinary()); // as the gRPC server hands it over
}

/** The inputs object each of three policies was given for each request, unwrapped from the SDK's proxy. */
async function inputsSeen(requests: unknown[]): Promise<unknown[][]> {
  const seen: unknown[][] = requests.map(() => []);
  let current = 0;
  const policies = ["a", "b", "c"].map((name) => ({
    name,
    description: name,
    enforcementLevel: "advisory",
    validateResource: (args: { props: Record<string, unknown> }) => {
      seen[current].push(args.props.__getSpecialProxyTarget);
    },
  }));
  const analyze = server.makeAnalyzeRpcFun("test", "0.0.1", "advisory", policies);
  for (current = 0; current < requests.length; current++) {
    await new Promise<void>((resolve, reject) =>
      analyze({ request: requests[current] }, (err: unknown) => (err ? reject(err) : resolve())),
    );
  }
  return seen;
}

describe("the pack's policies share one conversion of a request's inputs", () => {
  test("the SDK alone converts them once per policy (so sharing is still worth having)", async () => {
    const [seen] = await inputsSeen([request({ kind: "Deployment" })]);
    expect(new Set(seen).size).toBe(3);
  });

  test("once shared, every policy reads the same inputs, and the next request its own", async () => {
    expect(shareInputConversion(deserialize)).toBe(true);
    const [first, second] = await inputsSeen([request({ spec: { replicas: 1 } }), request({ spec: { replicas: 2 } })]);
    expect(new Set(first).size).toBe(1);
    expect(new Set(second).size).toBe(1);
    expect(first[0]).not.toBe(second[0]);
    expect(first[0]).toEqual({ spec: { replicas: 1 } });
    expect(second[0]).toEqual({ spec: { replicas: 2 } });
    expect(shareInputConversion(deserialize)).toBe(false); // already shared: not wrapped twice
  });

  test("remediation, which may rewrite its inputs, still gets a conversion of its own", () => {
    let conversions = 0;
    const module = { deserializeProperties: () => ({ n: ++conversions }) };
    expect(shareInputConversion(module)).toBe(true);
    const struct = {};
    const convert = module.deserializeProperties as unknown as (s: object, proxySecrets: boolean) => unknown;
    expect(convert(struct, false)).toBe(convert(struct, false));
    expect(convert(struct, true)).not.toBe(convert(struct, true));
    expect(conversions).toBe(3);
  });

  test("an SDK without the function, or a frozen module, is left as it is", () => {
    expect(shareInputConversion({})).toBe(false);
    const frozen = Object.freeze({ deserializeProperties: () => ({}) });
    expect(shareInputConversion(frozen)).toBe(false);
  });
});
