/**
 * An application stack on a cluster someone else runs: the kubeconfig comes from secret config
 * (`kubeconfig`) or from the platform stack's `kubeconfig` output (`platformStack`, default: the
 * crashguard-platform stack of the same name in this organization). The api reads its settings
 * from a ConfigMap (as files and as environment), its secrets from Azure Key Vault through the
 * Secrets Store CSI driver under workload identity (`apiClientId`: the managed identity's client
 * id), and scales with load.
 * The provider is made with crashguard's `kubernetesProvider`, so each Workload verifies its rollout on
 * this same cluster, never on whatever KUBECONFIG points at on the machine running `pulumi up`.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigMap } from "@pulumi/kubernetes/core/v1";
import { Workload, kubernetesProvider } from "../../index"; // in your own project: from "crashguard"

const config = new pulumi.Config();
const kubeconfig = config.getSecret("kubeconfig") ?? platformKubeconfig();
const namespace = config.get("namespace") ?? "apps";
const sentryDsn = config.getSecret("sentryDsn");
const apiClientId = config.require("apiClientId");

const provider = kubernetesProvider("cluster", { kubeconfig });

function platformKubeconfig(): pulumi.Output<string> {
  const platformStack = config.get("platformStack") ?? `${pulumi.getOrganization()}/crashguard-platform/${pulumi.getStack()}`;
  return pulumi.secret(new pulumi.StackReference(platformStack).requireOutput("kubeconfig").apply(String));
}

const apiConfig = new ConfigMap(
  "api-config",
  {
    metadata: { namespace },
    data: { "settings.yaml": "cache:\n  ttlSeconds: 300\n", FEATURE_FLAGS: "checkout-v2" },
  },
  { provider },
);

new Workload(
  "api",
  {
    namespace,
    image: config.get("apiImage") ?? "ghcr.io/acme/api:1.4.2",
    // 3 to 10 pods at 70 % of the cpu request; the Deployment leaves the count to the autoscaler.
    autoscaling: { min: 3, max: 10, cpuUtilization: 70 },
    port: 8080,
    resources: { cpuRequest: "500m", memoryRequest: "512Mi" },
    env: { LOG_LEVEL: "info", ...(sentryDsn ? { SENTRY_DSN: sentryDsn } : {}) },
    secretEnv: { DATABASE_PASSWORD: { secretName: "api-database", key: "password" } },
    configEnv: { FEATURE_FLAGS: { configMapName: apiConfig.metadata.name, key: "FEATURE_FLAGS" } },
    volumes: [
      { name: "settings", configMap: { name: apiConfig.metadata.name }, mountPath: "/etc/api", readOnly: true },
      // Key Vault secrets as files, fetched with the pods' workload identity (SecretProviderClass "api-keyvault").
      {
        name: "keyvault",
        csi: { driver: "secrets-store.csi.k8s.io", readOnly: true, volumeAttributes: { secretProviderClass: "api-keyvault" } },
        mountPath: "/mnt/secrets",
        readOnly: true,
      },
    ],
    workloadIdentity: { clientId: apiClientId },
  },
  { provider },
);

// A queue consumer: nothing calls it, so no Service; it serves only its health endpoints, and
// replays its backlog for up to a minute before it is ready.
new Workload(
  "worker",
  {
    namespace,
    image: config.get("workerImage") ?? "ghcr.io/acme/worker:1.4.2",
    command: ["/worker", "--queue", "orders"],
    port: 9090,
    portName: "health",
    service: false,
    startupSeconds: 60,
    resources: { cpuRequest: "250m", memoryRequest: "384Mi", memoryLimit: "512Mi" },
  },
  { provider },
);
