/** Starts a simulator, its controller/kubelet driver and a kubeconfig for one test file. */
import { K8sSim, SIM_TLS, SimCluster, writeKubeconfig, type Behaviour, type SimContainer, type WorkloadScenario } from "../support/k8s-sim";

/** 10 s of kubelet time take 0.2 s of test time. */
export const TEST_SCALE = 0.02;

export interface Harness {
  sim: K8sSim;
  cluster: SimCluster;
  kubeconfig: string;
}

/** `tls`: serve https and put a token in the kubeconfig (the verifier sends credentials only over TLS). */
export function useSim(scale = TEST_SCALE, { tls = false } = {}): Harness {
  const h = {} as Harness;
  beforeEach(async () => {
    h.sim = await K8sSim.start(tls ? { tls: SIM_TLS } : {});
    h.cluster = new SimCluster(h.sim, scale);
    h.kubeconfig = writeKubeconfig(h.sim.url);
  });
  afterEach(async () => {
    h.cluster.stop();
    await h.sim.stop();
  });
  return h;
}

/** A secret-looking value placed in the pod spec; it must never reach any output. */
export const SECRET_ENV_VALUE = "s3cr3t-db-p4ssw0rd-DO-NOT-PRINT";

export function app(behaviour: Behaviour, spec: SimContainer["spec"] = {}): SimContainer {
  return { name: "api", behaviour, spec: { env: [{ name: "DB_PASSWORD", value: SECRET_ENV_VALUE }], ...spec } };
}

export function deployment(name: string, containers: SimContainer[], extra: Partial<WorkloadScenario> = {}): WorkloadScenario {
  return { kind: "Deployment", namespace: "shop", name, replicas: 2, containers, ...extra };
}
