/**
 * Broken and hostile API servers against the verifier's client: every call ends by the caller's
 * deadline with an error naming it, retries back off, nothing a server sends is trusted, and no
 * credential reaches an error. Each test's bound is jest's timeout: a hang fails it.
 */
import type * as http from "node:http";
import { ApiError, DeadlineError, GoneError, type KubeClient, type Target } from "../../verify/kube-client";
import { mirror } from "../../verify/collection";
import { type Behaviour, type FakeApi, TOKEN, fakeApiPerTest, json } from "./fake-api";

const PODS: Target = { verb: "list", resource: "pods", namespace: "shop" };
const LOGS: Target = { verb: "get", resource: "pods/log", namespace: "shop" };
const fast = { initialMs: 5, maxMs: 40 };

const start = fakeApiPerTest();
let api: FakeApi | undefined;

async function clientFor(behaviour: Behaviour, deadlineInMs = 600, token = TOKEN): Promise<KubeClient> {
  const started = await start(behaviour, { deadline: Date.now() + deadlineInMs, backoff: fast }, token);
  api = started.api;
  return started.client;
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => new Error("expected a failure"),
    (e: Error) => e,
  );

describe("every call ends by the deadline and names itself", () => {
  test("a server that never answers: DeadlineError naming the call", async () => {
    const c = await clientFor(() => undefined, 300);
    const err = await failure(c.getJSON("/api/v1/namespaces/shop/events", {}, { verb: "list", resource: "events", namespace: "shop" }));
    expect(err).toBeInstanceOf(DeadlineError);
    expect(err.message).toMatch(
      /^list events in namespace shop: no complete answer from the API server https:\/\/127\.0\.0\.1:\d+ within the deadline/,
    );
  });

  test("a log request answered with headers and then nothing: DeadlineError", async () => {
    const c = await clientFor((_req, res) => {
      res.writeHead(200, { "Content-Type": "text/plain" });
      res.write("first line\n");
    }, 300);
    const err = await failure(c.getText("/api/v1/namespaces/shop/pods/web-1/log", {}, LOGS));
    expect(err).toBeInstanceOf(DeadlineError);
    expect(err.message).toMatch(/^get pods\/log in namespace shop: /);
  });

  test("a body trickled one byte at a time does not outlive the deadline", async () => {
    const c = await clientFor((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      const timer = setInterval(() => res.write(" "), 20);
      res.on("close", () => clearInterval(timer));
    }, 300);
    expect(await failure(c.getJSON("/api/v1/namespaces/shop/pods", {}, PODS))).toBeInstanceOf(DeadlineError);
  });

  test("a watch that sends nothing ends at the deadline with a DeadlineError", async () => {
    const c = await clientFor((_req, res) => res.writeHead(200, { "Content-Type": "application/json" }), 300);
    const err = await failure(
      c.watch("/api/v1/namespaces/shop/pods", {}, { ...PODS, verb: "watch" }, () => undefined, new AbortController().signal),
    );
    expect(err).toBeInstanceOf(DeadlineError);
    expect(err.message).toMatch(/^watch pods in namespace shop/);
  });

  test("a per-call deadline overrides the client's", async () => {
    const c = await clientFor(() => undefined, 60_000);
    expect(await failure(c.getJSON("/api/v1/namespaces/shop/pods", {}, PODS, undefined, { deadline: Date.now() + 200 }))).toBeInstanceOf(
      DeadlineError,
    );
  });

  test("a deadline beyond what timers hold does not fire at once", async () => {
    const c = await clientFor((_req, res) => json(res, 200, { items: [] }), 600 * 3600 * 1000);
    await expect(c.getJSON("/api/v1/namespaces/shop/pods", {}, PODS)).resolves.toEqual({ items: [] });
  });
});

describe("retries", () => {
  test("500 then 429 then success: retried with backoff, honouring Retry-After", async () => {
    const answers = [500, 429, 200];
    const c = await clientFor((_req, res) => {
      const status = answers.shift() ?? 200;
      if (status === 200) return json(res, 200, { items: [] });
      json(res, status, { kind: "Status", code: status, message: "busy" }, status === 429 ? { "Retry-After": "0" } : {});
    }, 5_000);
    await expect(c.getJSON("/api/v1/namespaces/shop/pods", {}, PODS)).resolves.toEqual({ items: [] });
    expect(api!.requests).toHaveLength(3);
  });

  test("500 forever: gives up at the deadline with the status and the call, after a bounded number of attempts", async () => {
    const c = await clientFor((_req, res) => json(res, 500, { kind: "Status", code: 500, message: "etcdserver: request timed out" }), 400);
    const err = await failure(c.getJSON("/api/v1/namespaces/shop/pods", {}, PODS));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toMatch(
      /^list pods in namespace shop failed with HTTP 500: etcdserver: request timed out \(gave up after \d+ attempts?\)$/,
    );
    // Backoff, not a spin: 400 ms at 5–40 ms per wait allows a few dozen attempts at most.
    expect(api!.requests.length).toBeLessThan(60);
  });

  test("403 is not retried", async () => {
    const c = await clientFor((_req, res) => json(res, 403, { kind: "Status", code: 403 }), 2_000);
    const err = await failure(c.getJSON("/api/v1/namespaces/shop/pods", {}, PODS));
    expect(err.message).toBe("cannot list pods in namespace shop: grant verbs list,watch on pods (see verify/rbac.yaml)");
    expect(api!.requests).toHaveLength(1);
  });

  test("410 on every list: the mirror backs off instead of spinning", async () => {
    const c = await clientFor((_req, res) => json(res, 410, { kind: "Status", code: 410 }), 10_000);
    const stop = new AbortController();
    const started = Date.now();
    const running = mirror(
      c,
      { path: "/api/v1/namespaces/shop/pods", query: {}, resource: "pods", namespace: "shop" },
      () => undefined,
      stop.signal,
      { initialMs: 40, maxMs: 1_000 },
    );
    await until(() => api!.requests.length >= 4);
    stop.abort();
    await running;
    // Equal jitter waits at least half of 40, 80 and 160 ms between the four lists; a spin waits none.
    // A lower bound only: a loaded machine makes it longer, never shorter.
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe("hostile answers", () => {
  test.each([
    ["invalid JSON", "{not json", /answered with invalid JSON/],
    ["a list without items", JSON.stringify({ kind: "PodList", items: { a: 1 } }), /has no items list/],
  ])("%s is an ApiError naming the call", async (_name, body, message) => {
    const c = await clientFor((_req, res) => json(res, 200, body), 300);
    const stop = new AbortController();
    const err = await failure(
      mirror(
        c,
        { path: "/api/v1/namespaces/shop/pods", query: {}, resource: "pods", namespace: "shop" },
        () => undefined,
        stop.signal,
        fast,
      ),
    );
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toMatch(message);
    expect(err.message).toMatch(/pods in namespace shop/);
  });

  test("a watch event without type or object is refused, not dereferenced", async () => {
    const c = await clientFor((_req, res) => {
      res.writeHead(200);
      res.end('{"type":"ADDED","object":null}\n');
    });
    const err = await failure(c.watch("/x", {}, { ...PODS, verb: "watch" }, () => undefined, new AbortController().signal));
    expect(err.message).toMatch(/watch event without a known type and an object/);
  });

  test("a body larger than the cap is refused without buffering it", async () => {
    const { client } = await start(
      (_req, res) => {
        res.writeHead(200);
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        const pump = () => {
          while (res.write(chunk));
        };
        res.on("drain", pump);
        pump();
      },
      { deadline: Date.now() + 10_000, maxBodyBytes: 1024 * 1024 },
    );
    const err = await failure(client.getText("/api/v1/namespaces/shop/pods", {}, PODS));
    expect(err.message).toMatch(/^list pods in namespace shop: the answer is larger than 1 MiB/);
  });

  test("410 is a GoneError for the mirror, not a failure", async () => {
    const c = await clientFor((_req, res) => json(res, 410, {}), 300);
    expect(await failure(c.getJSON("/x", {}, PODS))).toBeInstanceOf(GoneError);
  });
});

describe("credentials echoed by a server never reach an error", () => {
  const basic = Buffer.from("admin:hunter2-secret").toString("base64");
  test.each([
    ["the bearer token", `invalid header Authorization: Bearer ${TOKEN}`],
    ["the token alone", `token ${TOKEN} expired`],
    ["a basic auth header", `bad credentials (Basic ${basic})`],
    ["a JSON-quoted header", `{"authorization":"Bearer ${TOKEN}"}`],
  ])("%s", async (_name, message) => {
    const c = await clientFor((_req, res: http.ServerResponse) => json(res, 400, { kind: "Status", code: 400, message }), 2_000);
    const err = await failure(c.getJSON("/api/v1/namespaces/shop/pods", {}, PODS));
    expect(err.message).toMatch(/^list pods in namespace shop failed with HTTP 400/);
    expect(err.message).not.toContain(TOKEN);
    expect(err.message).not.toContain(basic);
  });
});

/** Waits for a condition by polling the event loop, never by sleeping a guessed time. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}
