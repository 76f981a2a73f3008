/** The Service in front of a Workload's pods, and the optional Ingress in front of the Service. */
import type * as pulumi from "@pulumi/pulumi";
import { Service } from "@pulumi/kubernetes/core/v1";
import { Ingress } from "@pulumi/kubernetes/networking/v1";
import type * as k8s from "@pulumi/kubernetes/types/input";
import { DEFAULTS } from "./defaults";
import type { WorkloadArgs } from "./workload";

interface Identity {
  metadata: k8s.meta.v1.ObjectMeta;
  selector: Record<string, string>;
}

export function workloadService(name: string, args: WorkloadArgs, id: Identity, opts: pulumi.CustomResourceOptions): Service {
  const portName = args.portName ?? DEFAULTS.portName;
  return new Service(
    name,
    {
      metadata: { ...id.metadata, annotations: args.serviceAnnotations },
      spec: {
        type: args.serviceType,
        selector: id.selector,
        ports: [
          { name: portName, port: servicePort(args), targetPort: portName },
          ...(args.extraPorts ?? []).map((p) => ({
            name: p.name,
            port: p.servicePort ?? p.containerPort,
            targetPort: p.name,
            protocol: p.protocol,
          })),
        ],
        // A StatefulSet's governing Service is headless: it gives each pod its stable DNS name.
        ...(args.kind === "StatefulSet" ? { clusterIP: "None" } : {}),
      },
    },
    opts,
  );
}

export function workloadIngress(
  name: string,
  args: WorkloadArgs,
  id: Identity,
  service: Service,
  opts: pulumi.CustomResourceOptions,
): Ingress {
  const ingress = args.ingress!;
  return new Ingress(
    name,
    {
      metadata: { ...id.metadata, annotations: ingress.annotations },
      spec: {
        ingressClassName: ingress.className ?? DEFAULTS.ingressClassName,
        rules: [
          {
            host: ingress.host,
            http: {
              paths: [
                {
                  path: ingress.path ?? "/",
                  pathType: "Prefix",
                  backend: { service: { name: service.metadata.name, port: { number: servicePort(args) } } },
                },
              ],
            },
          },
        ],
        tls: ingress.tlsSecretName === undefined ? undefined : [{ hosts: [ingress.host], secretName: ingress.tlsSecretName }],
      },
    },
    opts,
  );
}

function servicePort(args: WorkloadArgs): number {
  return args.servicePort ?? args.port ?? DEFAULTS.port;
}
