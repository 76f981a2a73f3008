/**
 * The mirror lists in pages (limit + continue, as client-go's pager does) so no answer grows with
 * the namespace: every object still arrives exactly once, an expired continue token starts the
 * list over, and a server that repeats a token cannot keep it listing.
 */
import type * as http from "node:http";
import { PAGE_SIZE, mirror } from "../../verify/collection";
import { KubeClient, type ListAnswer, MalformedAnswerError, type Target } from "../../verify/kube-client";
import { kubeconfigYaml, K8sSim, type SimObject } from "../support/k8s-sim";
import { loadConnection } from "../../verify/kubeconfig";
import { fakeApiPerTest, json } from "../hostile/fake-api";

const PODS = { path: "/api/v1/namespaces/shop/pods", query: {}, resource: "pods", namespace: "shop" };
const fast = { initialMs: 5, maxMs: 40 };

/** Runs a mirror until `done` holds for what it has seen, then stops it. */
async function mirrorUntil(client: KubeClient, done: (names: string[]) => boolean): Promise<string[]> {
  const stop = new AbortController();
  let names: string[] = [];
  const running = mirror(
    client,
    PODS,
    (items) => {
      names = [...items.keys()];
      if (done(names)) stop.abort();
    },
    stop.signal,
    fast,
  );
  await running;
  return names;
}

describe("paged lists against the simulator", () => {
  let sim: K8sSim;
  let client: KubeClient;
  beforeEach(async () => {
    sim = await K8sSim.start();
    client = new KubeClient(loadConnection({ kubeconfig: kubeconfigYaml(sim.url) }), { deadline: Date.now() + 60_000 });
  });
  afterEach(async () => {
    client.close();
    await sim.stop();
  });

  test(`${2 * PAGE_SIZE + 1} pods arrive in three pages, each once`, async () => {
    const pods = 2 * PAGE_SIZE + 1;
    for (let i = 0; i < pods; i++) sim.put("pods", { metadata: { name: `web-${i}`, namespace: "shop" } } as SimObject);
    const names = await mirrorUntil(client, (n) => n.length === pods);
    expect(new Set(names).size).toBe(pods);
    expect(sim.requests.filter((r) => r === "list pods")).toHaveLength(3);
    expect(
      sim.arrivals.filter((a) => a.url.includes("/pods?")).every((a) => a.url.includes(`limit=${PAGE_SIZE}`) || a.url.includes("watch=")),
    ).toBe(true);
  });

  test("objects changed between pages end in their newest version, through the watch", async () => {
    for (let i = 0; i < PAGE_SIZE + 10; i++) sim.put("pods", { metadata: { name: `web-${i}`, namespace: "shop" } } as SimObject);
    const changed = `web-${PAGE_SIZE + 5}`;
    // The second page is served as the list was when it began; the changes come through the watch from the list's version.
    let changes = () => {
      sim.put("pods", { metadata: { name: "late", namespace: "shop" } } as SimObject);
      sim.put("pods", { metadata: { name: changed, namespace: "shop", labels: { v: "2" } } } as SimObject);
      changes = () => undefined;
    };
    class ChangingBetweenPages extends KubeClient {
      override async list<T>(
        path: string,
        query: Record<string, string>,
        target: Target,
        keep: (item: unknown) => T | undefined,
        signal?: AbortSignal,
      ): Promise<ListAnswer<T>> {
        const answer = await super.list(path, query, target, keep, signal);
        changes();
        return answer;
      }
    }
    client.close();
    client = new ChangingBetweenPages(loadConnection({ kubeconfig: kubeconfigYaml(sim.url) }), { deadline: Date.now() + 60_000 });
    const stop = new AbortController();
    let latest: ReadonlyMap<string, SimObject> = new Map();
    await mirror<SimObject>(
      client,
      PODS,
      (items) => {
        latest = items;
        if (items.get(changed)?.metadata?.labels?.v === "2" && items.has("late")) stop.abort();
      },
      stop.signal,
      fast,
    );
    expect(latest.size).toBe(PAGE_SIZE + 11);
  });
});

describe("hostile paging", () => {
  const start = fakeApiPerTest();

  const page = (res: http.ServerResponse, items: string[], next?: string) =>
    json(res, 200, {
      kind: "PodList",
      metadata: { resourceVersion: "5", ...(next ? { continue: next } : {}) },
      items: items.map((name) => ({ metadata: { name } })),
    });

  test("an expired continue token (410) lists again from the first page", async () => {
    let expired = false;
    const { api, client } = await start(
      (req, res) => {
        const url = new URL(req.url ?? "/", "https://x");
        if (url.searchParams.get("watch")) return void res.writeHead(200).flushHeaders();
        if (!url.searchParams.get("continue")) return page(res, ["a"], "t1");
        if (!expired) {
          expired = true;
          return json(res, 410, { kind: "Status", code: 410, reason: "Expired", message: "The provided continue parameter is too old" });
        }
        page(res, ["b"]);
      },
      { deadline: Date.now() + 10_000, backoff: fast },
    );
    expect((await mirrorUntil(client, (n) => n.length === 2)).sort()).toEqual(["a", "b"]);
    const lists = api.requests.filter((r) => !r.includes("watch="));
    expect(lists.map((r) => r.includes("continue="))).toEqual([false, true, false, true]);
  });

  test("a server that hands out the same continue token again is refused, naming the call", async () => {
    const { api, client } = await start((_req, res) => page(res, ["a"], "again"), { deadline: Date.now() + 10_000, backoff: fast });
    const err = await mirrorUntil(client, () => false).then(
      () => new Error("expected a failure"),
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(MalformedAnswerError);
    expect(err.message).toBe("list pods in namespace shop: the API server sent the same continue token twice");
    expect(api.requests).toHaveLength(2);
  });
});
