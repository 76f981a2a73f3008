/**
 * `cluster.provider` must not race the deployer's role assignment: on `pulumi up` its kubeconfig
 * resolves only once the API server accepts it. Here the API server is a loopback stand-in that
 * refuses (403, as a grant that has not propagated) and then accepts.
 */
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { AksCluster } from "../../components/aks-cluster";
import { waitForAccess } from "../../components/aks-access-wait";
import { mockPulumi } from "./mocks";
import { SIM_TLS } from "../support/k8s-sim";

const TOKEN = "s3cr3t-t0ken";
let answers: number[] = [];
const seen: { authorization?: string; path?: string; providerRegistered: boolean }[] = [];
let server: https.Server;
let kubeconfig = "";

const mocks = mockPulumi({
  calls: {
    "azure-native:containerservice:listManagedClusterUserCredentials": () => ({
      kubeconfigs: [{ name: "clusterUser", value: Buffer.from(kubeconfig).toString("base64") }],
    }),
    "azure-native:authorization:getClientConfig": () => ({ objectId: "deployer-oid", subscriptionId: "sub-1" }),
  },
});

beforeAll(async () => {
  // HTTPS: the verifier's client sends a token over TLS only, as kubectl does.
  server = https.createServer({ key: SIM_TLS.key, cert: SIM_TLS.cert }, (req, res) => {
    seen.push({
      authorization: req.headers.authorization,
      path: req.url,
      providerRegistered: mocks.registeredSoFar().some((r) => r.type === "pulumi:providers:kubernetes"),
    });
    const status = answers.shift() ?? 200;
    res.writeHead(status, { "Content-Type": "application/json" });
    res.end(
      JSON.stringify(
        status === 200
          ? { kind: "NamespaceList", items: [] }
          : { kind: "Status", code: status, message: 'forbidden: User "deployer" cannot list namespaces' },
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  kubeconfig = `apiVersion: v1
kind: Config
clusters: [{ name: aks, cluster: { server: "https://127.0.0.1:${port}", certificate-authority-data: ${SIM_TLS.ca.toString("base64")} } }]
users: [{ name: deployer, user: { token: ${TOKEN} } }]
contexts: [{ name: aks, context: { cluster: aks, user: deployer } }]
current-context: aks
`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
beforeEach(() => {
  mocks.reset();
  seen.length = 0;
});

describe("AksCluster's provider and the role grant", () => {
  it("registers the provider only after the API server stops refusing the deploying identity", async () => {
    answers = [403, 403];
    new AksCluster("aks", { location: "westeurope", accessWaitSeconds: 60 });
    const all = await mocks.resources();
    expect(all.map((r) => r.type)).toContain("pulumi:providers:kubernetes");
    expect(seen).toEqual(
      [0, 1, 2].map(() => ({ authorization: `Bearer ${TOKEN}`, path: "/api/v1/namespaces?limit=1", providerRegistered: false })),
    );
  });

  it("does not probe the API server when the wait is off or there is no grant", async () => {
    new AksCluster("nowait", { location: "westeurope", accessWaitSeconds: 0 });
    new AksCluster("nogrant", { location: "westeurope", grantDeployerClusterAdmin: false });
    const providers = (await mocks.resources()).filter((r) => r.type === "pulumi:providers:kubernetes");
    expect(providers.map((r) => r.name).sort()).toEqual(["nogrant-k8s", "nowait-k8s"]);
    expect(seen).toEqual([]);
  });
});

describe("waitForAccess", () => {
  const fast = { initialMs: 20, maxMs: 50 };

  it("gives up after the time given, naming the grant and the fix but not the credentials", async () => {
    answers = Array(1000).fill(403);
    const failure = waitForAccess(kubeconfig, 1, fast).catch((err: Error) => err.message);
    const message = await failure;
    answers = [];
    expect(message).toMatch(
      /^the API server still refuses the deploying identity after 1 s \(HTTP 403\)\. A new "Azure Kubernetes Service RBAC Cluster Admin" grant can take minutes to apply: run pulumi up again, or raise accessWaitSeconds/,
    );
    expect(message).toContain("set accessWaitSeconds: 0");
    expect(message).not.toContain(TOKEN);
    expect(seen.length).toBeGreaterThan(1);
  });

  it("waits through server errors too, and returns once the API server answers", async () => {
    answers = [503, 401, 500];
    await waitForAccess(kubeconfig, 60, fast);
    expect(seen).toHaveLength(4);
  });

  it("fails at once on what time does not fix, such as a kubeconfig without the cluster", async () => {
    await expect(waitForAccess("apiVersion: v1\nkind: Config\ncurrent-context: none\n", 60, fast)).rejects.toThrow(/context/);
    answers = [404];
    await expect(waitForAccess(kubeconfig, 60, fast)).rejects.toThrow(/404/);
    expect(seen).toHaveLength(1);
  });
});
