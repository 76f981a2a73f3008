/**
 * An application stack on a cluster someone else runs: the kubeconfig comes from secret config
 * (`kubeconfig`) or from the platform stack's `kubeconfig` output (`platformStack`, default: the
 * crashguard-platform stack of the same name in this organization). The provider is made with
 * crashguard's `kubernetesProvider`, so each Workload verifies its rollout on this same cluster, never
 * on whatever KUBECONFIG points at on the machine running `pulumi up`.
 */
import * as pulumi from "@pulumi/pulumi";
import { Workload, kubernetesProvider } from "../../index"; // in your own project: from "crashguard"

const config = new pulumi.Config();
const kubeconfig = config.getSecret("kubeconfig") ?? platformKubeconfig();
const namespace = config.get("namespace") ?? "apps";
const sentryDsn = config.getSecret("sentryDsn");

const provider = kubernetesProvider("cluster", { kubeconfig });

function platformKubeconfig(): pulumi.Output<string> {
  const platformStack = config.get("platformStack") ?? `${pulumi.getOrganization()}/crashguard-platform/${pulumi.getStack()}`;
  return pulumi.secret(new pulumi.StackReference(platformStack).requireOutput("kubeconfig").apply(String));
}

new Workload("api", {
  namespace,
  image: config.get("apiImage") ?? "ghcr.io/acme/api:1.4.2",
  replicas: 3,
  port: 8080,
  resources: { cpuRequest: "500m", memoryRequest: "512Mi" },
  env: { LOG_LEVEL: "info", ...(sentryDsn ? { SENTRY_DSN: sentryDsn } : {}) },
  secretEnv: { DATABASE_PASSWORD: { secretName: "api-database", key: "password" } },
}, { provider });

// A queue consumer: nothing calls it, so no Service; it serves only its health endpoints, and
// replays its backlog for up to a minute before it is ready.
new Workload("worker", {
  namespace,
  image: config.get("workerImage") ?? "ghcr.io/acme/worker:1.4.2",
  command: ["/worker", "--queue", "orders"],
  port: 9090,
  portName: "health",
  service: false,
  startupSeconds: 60,
  resources: { cpuRequest: "250m", memoryRequest: "384Mi", memoryLimit: "512Mi" },
}, { provider });
