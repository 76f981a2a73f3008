/** Creating Workloads under the component mocks and reading back what they registered. */
import { Workload, type WorkloadArgs, type WorkloadOptions } from "../../components/workload";
import type { mockPulumi } from "./mocks";

export function workloadHarness(mocks: ReturnType<typeof mockPulumi>) {
  /** Creates a Workload and returns what it registered, by type. */
  async function deploy(name: string, args: Partial<WorkloadArgs> = {}, opts?: WorkloadOptions) {
    const workload = new Workload(name, { image: "ghcr.io/acme/api:1.4.2", ...args }, opts);
    const all = await mocks.resources();
    const byType = (type: string) => all.find((r) => r.type === type && r.name === name);
    const deployment = byType("kubernetes:apps/v1:Deployment") ?? byType("kubernetes:apps/v1:StatefulSet");
    return {
      workload,
      all,
      deployment: deployment!,
      spec: deployment!.inputs.spec,
      pod: deployment!.inputs.spec.template.spec,
      container: deployment!.inputs.spec.template.spec.containers[0],
      service: byType("kubernetes:core/v1:Service"),
      pdb: byType("kubernetes:policy/v1:PodDisruptionBudget"),
      hpa: byType("kubernetes:autoscaling/v2:HorizontalPodAutoscaler"),
      ingress: byType("kubernetes:networking.k8s.io/v1:Ingress"),
      serviceAccount: all.find((r) => r.type === "kubernetes:core/v1:ServiceAccount"),
      credential: byType("azure-native:managedidentity:FederatedIdentityCredential"),
    };
  }

  /** The Pulumi warnings logged while `fn` runs and its resources register (under mocks they reach the console). */
  async function warningsOf(fn: () => unknown): Promise<string[]> {
    const warn = jest.spyOn(console, "warn").mockImplementation(() => undefined);
    try {
      fn();
      await mocks.resources();
      return warn.mock.calls.map((c) => c.join(" "));
    } finally {
      warn.mockRestore();
    }
  }

  return { deploy, warningsOf };
}

export function catchError(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected an error");
}
