import * as path from "node:path";
import { type AnalyzedResource, PolicyPackClient } from "../../cli/pack-client";

export const PACK_DIR = path.join(__dirname, "..", "..", "policies");

/**
 * Starts the real pack once for a test file, as the Pulumi CLI would, and always stops it after.
 * Returns a getter because the client only exists once beforeAll has run.
 */
export function usePolicyPack(env?: NodeJS.ProcessEnv): () => PolicyPackClient {
  let client: PolicyPackClient | undefined;
  beforeAll(async () => {
    client = await PolicyPackClient.start(PACK_DIR, { env: env && { ...process.env, ...env } });
  }, 90_000);
  afterAll(async () => {
    await client?.stop();
  });
  return () => {
    if (!client) throw new Error("the policy pack did not start; see the beforeAll error above");
    return client;
  };
}

/** A resource as the engine would send it for a manifest: type token from apiVersion/kind. */
export function asPulumiResource(manifest: Record<string, unknown>, name?: string): AnalyzedResource {
  const apiVersion = String(manifest.apiVersion ?? "v1");
  const group = apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`;
  const type = `kubernetes:${group}:${String(manifest.kind)}`;
  const resourceName = name ?? String((manifest.metadata as { name?: string } | undefined)?.name ?? "unnamed");
  return { type, name: resourceName, urn: `urn:pulumi:test::crashguard::${type}::${resourceName}`, properties: manifest };
}
