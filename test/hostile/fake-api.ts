/**
 * Hostile API servers on 127.0.0.1: each test hands in how to (mis)behave. TLS with the test CA,
 * because the verifier sends credentials only over https.
 */
import type * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { type ClientOptions, KubeClient } from "../../verify/kube-client";
import type { Connection } from "../../verify/kubeconfig";
import { SIM_TLS } from "../support/k8s-sim";

export interface FakeApi {
  url: string;
  /** Requests received, as "METHOD path?query". */
  requests: string[];
  /** Authorization headers received. */
  authorizations: string[];
  stop(): Promise<void>;
}

export type Behaviour = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export async function fakeApi(behaviour: Behaviour): Promise<FakeApi> {
  const requests: string[] = [];
  const authorizations: string[] = [];
  const server = https.createServer({ key: SIM_TLS.key, cert: SIM_TLS.cert }, (req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (req.headers.authorization) authorizations.push(req.headers.authorization);
    behaviour(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    authorizations,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * For a suite: `start` serves a fake API and makes a client to it; whatever a test started is
 * closed after it.
 */
export function fakeApiPerTest(): (
  behaviour: Behaviour,
  options: ClientOptions,
  token?: string,
) => Promise<{ api: FakeApi; client: KubeClient }> {
  let started: { api: FakeApi; client: KubeClient } | undefined;
  afterEach(async () => {
    started?.client.close();
    await started?.api.stop();
    started = undefined;
  });
  return async (behaviour, options, token = TOKEN) => {
    const api = await fakeApi(behaviour);
    started = { api, client: new KubeClient(connectionTo(api.url, token), options) };
    return started;
  };
}

/** A bearer token that looks real, so tests can assert it never reaches any output. */
export const TOKEN = "eyJhbGciOiJSUzI1NiJ9.aG9zdGlsZS10b2tlbg.aG9zdGlsZS1zaWduYXR1cmU";

export function connectionTo(url: string, token = TOKEN): Connection {
  return {
    context: "hostile",
    server: url,
    ca: SIM_TLS.ca,
    insecureSkipTLSVerify: false,
    authorization: async () => `Bearer ${token}`,
    secrets: [token],
  };
}

export function json(res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(typeof body === "string" ? body : JSON.stringify(body));
}

/** Any C0/C1 control but newline and tab; tests run without colour, so not even ESC may appear. */
export const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;
