/**
 * Pulumi under `setMocks` for the component tests: records every resource as the engine would
 * receive it — type, name, URN (which encodes the parent chain), parent, provider, the hooks bound
 * to it, and its inputs in wire form (secrets in their envelopes) after the resource's own and the
 * stack's transforms ran (the mock monitor hands transforms over but does not apply them).
 */
import * as pulumi from "@pulumi/pulumi";
import { withoutRuntimeDebugging } from "../../cli/runtime-debugging";

export interface Registered {
  type: string;
  name: string;
  urn: string;
  parent?: string;
  custom: boolean;
  /** Provider reference `<urn>::<id>`, when the resource has an explicit provider. */
  provider?: string;
  /** Inputs after transforms; secrets appear in Pulumi's wire envelope. */
  inputs: Record<string, any>;
  hooks: { afterCreate: string[]; afterUpdate: string[] };
  beforeHooks: { beforeCreate: string[]; beforeUpdate: string[] };
  /** URNs the engine makes this resource wait for: `dependsOn` and the resources behind its input Outputs. */
  dependencies: string[];
  /** Per input property, the URNs of the resources its value came from. */
  propertyDependencies: Record<string, string[]>;
}

// Internal to @pulumi/pulumi, but the one way to know every registration has been answered.
const settings: { getMonitor(): unknown; waitForRPCs(): Promise<void> } = require("@pulumi/pulumi/runtime/settings");

// As `crashguard check` runs programs: jest maps every stack frame the SDK records through source
// maps, which was most of these suites' time.
withoutRuntimeDebugging(pulumi, require("@pulumi/pulumi/runtime/debuggable"));

export function mockPulumi(
  options: {
    preview?: boolean;
    calls?: Record<string, (inputs: any) => Record<string, unknown>>;
    /** Outputs a resource type computes, added to its echoed inputs (e.g. ids Azure assigns). */
    outputs?: Record<string, (inputs: any) => Record<string, unknown>>;
  } = {},
) {
  const registered: Registered[] = [];
  const stackTransforms: pulumi.ResourceTransform[] = [];
  const transformed = new Map<string, pulumi.Inputs>();
  pulumi.runtime.setMocks(
    {
      async newResource(args) {
        let props: pulumi.Inputs = args.inputs;
        for (const transform of [...(args.transforms ?? []), ...stackTransforms]) {
          const result = await transform({ type: args.type, name: args.name, custom: args.custom ?? true, props, opts: {} });
          if (result) props = result.props;
        }
        if (props !== args.inputs) transformed.set(`${args.type}::${args.name}`, props);
        // A preview knows inputs but no ids; an update echoes the inputs back as outputs.
        const computed = options.preview ? {} : (options.outputs?.[args.type]?.(props) ?? {});
        return { id: options.preview ? undefined : `${args.name}-id`, state: { ...props, ...computed } };
      },
      call: (args) => options.calls?.[args.token]?.(args.inputs) ?? args.inputs,
      registerTransform: (transform) => stackTransforms.push(transform),
    },
    "crashguard",
    "test",
    options.preview ?? false,
  );

  const monitor = settings.getMonitor() as MockMonitor;
  monitor.registerResourceHook ??= (_req, cb) => cb(null, {}); // the engine accepts hooks; the mock monitor lacks the call
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) =>
    register(req, (err, res) => {
      if (!err && res) {
        const hooks = req.getHooks();
        registered.push({
          type: req.getType(),
          name: req.getName(),
          urn: res.getUrn(),
          parent: req.getParent() || undefined,
          custom: req.getCustom(),
          provider: req.getProvider() || undefined,
          inputs: transformed.get(`${req.getType()}::${req.getName()}`) ?? req.getObject()?.toJavaScript() ?? {},
          hooks: { afterCreate: hooks?.getAfterCreateList() ?? [], afterUpdate: hooks?.getAfterUpdateList() ?? [] },
          beforeHooks: { beforeCreate: hooks?.getBeforeCreateList() ?? [], beforeUpdate: hooks?.getBeforeUpdateList() ?? [] },
          dependencies: req.getDependenciesList(),
          propertyDependencies: propertyDependencies(req),
        });
      }
      cb(err, res);
    });

  return {
    /** Every resource registered so far, once all pending registrations have been answered. */
    async resources(): Promise<Registered[]> {
      await settings.waitForRPCs();
      return registered;
    },
    /** What has been registered up to now, without waiting for pending registrations. */
    registeredSoFar(): Registered[] {
      return [...registered];
    },
    reset(): void {
      registered.length = 0;
      transformed.clear();
    },
  };
}

/** The value of an Output (mocks resolve everything on an update). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

function propertyDependencies(req: RegisterRequest): Record<string, string[]> {
  const deps: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((d, key) => (deps[key] = d.getUrnsList()));
  return deps;
}

interface MockMonitor {
  registerResource(req: RegisterRequest, cb: (err: unknown, res?: { getUrn(): string }) => void): unknown;
  registerResourceHook?(req: unknown, cb: (err: unknown, res: unknown) => void): void;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProvider(): string;
  getObject(): { toJavaScript(): Record<string, any> } | undefined;
  getHooks():
    | { getAfterCreateList(): string[]; getAfterUpdateList(): string[]; getBeforeCreateList(): string[]; getBeforeUpdateList(): string[] }
    | undefined;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(fn: (deps: { getUrnsList(): string[] }, key: string) => void): void };
}
