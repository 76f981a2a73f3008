/**
 * The part of the Pulumi engine that decides what a resource hook's error does, modelled from
 * github.com/pulumi/pulumi at the tags named — `setMocks` accepts hooks but never runs them, so the
 * gate's behaviour across `pulumi up` runs is tested against this model, with the real hook body.
 *
 * - A resource whose inputs equal its state's is a Same step: no provider call, no hook.
 * - pkg/resource/deploy/step.go `CreateStep.Apply` / `UpdateStep.Apply` (v3.182.0 on): before-hooks
 *   run first, and an error returns from the step before the provider is called; the step
 *   executor reports StepApplyFailed, and the update fails and stops.
 * - pkg/backend/snapshot.go `createSnapshotMutation.End` / `updateSnapshotMutation.End`: the new
 *   state is recorded only for a successful step — a failed create leaves nothing, a failed
 *   update leaves the old state.
 * - A replacement (create before delete, as pulumi-kubernetes does for a ConfigMap whose data
 *   changes unless the provider sets enableConfigMapMutable: pulumi/pulumi-kubernetes#1567,
 *   #1926) runs create hooks; the old resource is deleted only after the new one was created.
 * - pkg/resource/deploy/deployment.go `RunHooks`, v3.182.0 to v3.237.0: "Errors on after hooks
 *   report a diagnostic, but do not fail the step" — a warning. From v3.238.0 (#22935) step.go
 *   reports it as an error and records a deployment-level failure, but still commits the state.
 */
import { isDeepStrictEqual } from "node:util";
import type * as pulumi from "@pulumi/pulumi";

/** CLI minor versions where the behaviour changes; hooks do not exist before 3.182. */
export type Cli = 182 | 237 | 238;

export type HookFn = (args: pulumi.ResourceHookArgs) => Promise<void> | void;
export type HookPoint = "beforeCreate" | "beforeUpdate" | "afterCreate" | "afterUpdate";

export interface ModelResource {
  type: string;
  name: string;
  /** The provider's outputs equal the inputs, as with skipAwait: the API server's first answer. */
  inputs: Record<string, unknown>;
  hooks?: Partial<Record<HookPoint, HookFn[]>>;
}

type Op = "create" | "update" | "replace";

export interface Diagnostic {
  severity: "warning" | "error";
  urn: string;
  message: string;
}

export interface UpResult {
  /** What `pulumi up`'s exit code says: false = non-zero. */
  succeeded: boolean;
  /** The step each resource got; a resource after a failed step gets none. */
  steps: Map<string, Op | "same" | "failed">;
  diagnostics: Diagnostic[];
}

export class EngineModel {
  /** The stack's state between runs, by resource name. */
  readonly state = new Map<string, ModelResource>();

  /** `changes: "replace"` models a provider that replaces, rather than updates, a changed resource. */
  constructor(
    readonly cli: Cli,
    readonly changes: "update" | "replace" = "update",
  ) {}

  /** One `pulumi up` of a program that registers `resources` in dependency order. */
  async up(resources: ModelResource[]): Promise<UpResult> {
    const result: UpResult = { succeeded: true, steps: new Map(), diagnostics: [] };
    for (const resource of resources) {
      const step = await this.step(resource, result.diagnostics);
      result.steps.set(resource.name, step.op);
      if (step.failsUpdate) result.succeeded = false;
      if (step.op === "failed") break; // the step executor cancels everything after a failed step
    }
    return result;
  }

  private async step(resource: ModelResource, diagnostics: Diagnostic[]): Promise<{ op: Op | "same" | "failed"; failsUpdate: boolean }> {
    const urn = `urn:pulumi:dev::shop::${resource.type}::${resource.name}`;
    const old = this.state.get(resource.name);
    if (old && isDeepStrictEqual(old.inputs, resource.inputs)) return { op: "same", failsUpdate: false };
    const op: Op = old ? this.changes : "create";
    const point = op === "update" ? "Update" : "Create";
    const args: pulumi.ResourceHookArgs = {
      urn,
      id: `${resource.name}-id`,
      name: resource.name,
      type: resource.type,
      newInputs: resource.inputs,
      oldInputs: old?.inputs,
      newOutputs: resource.inputs,
      oldOutputs: old?.inputs,
    };
    const before = await runHooks(resource.hooks?.[`before${point}`], args);
    if (before) {
      diagnostics.push({ severity: "error", urn, message: `before hook failed: ${before.message}` });
      return { op: "failed", failsUpdate: true };
    }
    this.state.set(resource.name, resource);
    const after = await runHooks(resource.hooks?.[`after${point}`], args);
    if (!after) return { op, failsUpdate: false };
    const failsUpdate = this.cli >= 238;
    diagnostics.push({ severity: failsUpdate ? "error" : "warning", urn, message: `after hook failed: ${after.message}` });
    return { op, failsUpdate };
  }
}

async function runHooks(hooks: HookFn[] | undefined, args: pulumi.ResourceHookArgs): Promise<Error | undefined> {
  for (const hook of hooks ?? []) {
    try {
      await hook(args);
    } catch (err) {
      return err as Error;
    }
  }
  return undefined;
}
