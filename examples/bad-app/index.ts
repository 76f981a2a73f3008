/**
 * Workloads that crash-loop, each named for its one flaw, declared raw with @pulumi/kubernetes
 * (a Workload would refuse to build them). `pulumi preview --policy-pack ../../policies` blocks
 * them; the same flaws as plain YAML are in manifests/ for `crashguard lint`.
 */
import { CronJob } from "@pulumi/kubernetes/batch/v1";
import { Deployment } from "@pulumi/kubernetes/apps/v1";
import type * as k8s from "@pulumi/kubernetes/types/input";

/** A container with nothing wrong with it; each resource below breaks one thing. */
const sound: k8s.core.v1.Container = {
  name: "app",
  image: "ghcr.io/acme/shop:1.4.2",
  ports: [{ name: "http", containerPort: 8080 }],
  resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "256Mi" } },
  readinessProbe: { httpGet: { path: "/ready", port: "http" }, periodSeconds: 10, timeoutSeconds: 3 },
  livenessProbe: { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 10, timeoutSeconds: 3 },
};

function deployment(name: string, container: k8s.core.v1.Container): Deployment {
  const labels = { "app.kubernetes.io/name": name };
  return new Deployment(name, {
    metadata: { name, labels },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [container] } } },
  });
}

deployment("no-resources", { ...sound, resources: undefined });
deployment("limit-below-request", { ...sound, resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "256Mi" } } });
deployment("memory-in-mb", { ...sound, resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "512MB" } } });
deployment("probe-timeout-not-below-period", {
  ...sound,
  livenessProbe: { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 10, timeoutSeconds: 10 },
});
deployment("probe-on-undeclared-port", {
  ...sound,
  readinessProbe: { httpGet: { path: "/ready", port: "metrics" }, periodSeconds: 10, timeoutSeconds: 3 },
});

new CronJob("cronjob-without-resources", {
  metadata: { name: "cronjob-without-resources" },
  spec: {
    schedule: "*/15 * * * *",
    jobTemplate: {
      spec: {
        template: {
          spec: {
            restartPolicy: "OnFailure",
            containers: [{ name: "report", image: "ghcr.io/acme/report:2.0.1", command: ["/report", "--daily"] }],
          },
        },
      },
    },
  },
});
