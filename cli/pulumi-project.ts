/**
 * Reads a Pulumi project the way the CLI does: `Pulumi.yaml` for name, runtime and main, and
 * `Pulumi.<stack>.yaml` for config. Secure config values are ciphertext only the stack's secrets
 * provider can open, so they reach the program as a masked placeholder, still marked secret.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

export interface PulumiProject {
  dir: string;
  name: string;
  main: string;
  stack: string;
  config: Record<string, string>;
  secretKeys: string[];
}

export const MASKED_SECRET = "[secret]";

export class ProjectError extends Error {}

export function readProject(dir: string, stack: string): PulumiProject {
  const file = path.join(dir, "Pulumi.yaml");
  const doc = readYaml(file) as { name?: unknown; runtime?: unknown; main?: unknown } | undefined;
  if (!doc || typeof doc.name !== "string") throw new ProjectError(`${file}: no project name; Pulumi.yaml needs "name: <project>"`);
  const runtime = typeof doc.runtime === "object" && doc.runtime !== null ? (doc.runtime as { name?: unknown }).name : doc.runtime;
  if (runtime !== "nodejs")
    throw new ProjectError(`${file}: runtime is ${JSON.stringify(runtime)}; crashguard check runs nodejs programs only`);
  const main = path.resolve(dir, typeof doc.main === "string" ? doc.main : ".");
  if (!fs.existsSync(main))
    throw new ProjectError(`${file}: main ${JSON.stringify(doc.main)} does not exist (${path.relative(process.cwd(), main) || "."})`);

  const stackFile = path.join(dir, `Pulumi.${stack}.yaml`);
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  const stackDoc = fs.existsSync(stackFile) ? (readYaml(stackFile) as { config?: Record<string, unknown> } | undefined) : undefined;
  for (const [rawKey, value] of Object.entries(stackDoc?.config ?? {})) {
    const key = rawKey.includes(":") ? rawKey : `${doc.name}:${rawKey}`;
    if (isSecure(value)) {
      config[key] = MASKED_SECRET;
      secretKeys.push(key);
    } else {
      config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  return { dir, name: doc.name, main, stack, config, secretKeys };
}

function isSecure(v: unknown): boolean {
  return typeof v === "object" && v !== null && !Array.isArray(v) && "secure" in v;
}

function readYaml(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new ProjectError(`${file}: cannot read it; is this a Pulumi project directory?`);
  }
  try {
    return parse(text);
  } catch (err) {
    throw new ProjectError(`${file}: not valid YAML: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
  }
}
