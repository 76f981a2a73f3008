/**
 * A message is only worth reading if it is true for the object it is about: the same missing or
 * failing probe stalls a Deployment's rollout, sends a bare Pod traffic too early, does little to
 * a log-shipping sidecar and makes a Job retry. One table, every kind.
 */
import { type Finding, checkObject } from "../../policies/rules";

const UNKNOWN_ARRAY = "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2";
const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const RESOURCES = { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "128Mi" } };

/** An object of `kind` whose pod spec is `podSpec`, as its manifest would hold it. */
function workload(kind: string, podSpec: Record<string, unknown>): Record<string, unknown> {
  const metadata = { name: "w", namespace: "shop" };
  if (kind === "Pod") return { apiVersion: "v1", kind, metadata, spec: podSpec };
  const template = { spec: kind === "Job" || kind === "CronJob" ? { restartPolicy: "Never", ...podSpec } : podSpec };
  if (kind === "CronJob")
    return { apiVersion: "batch/v1", kind, metadata, spec: { schedule: "* * * * *", jobTemplate: { spec: { template } } } };
  return { apiVersion: "apps/v1", kind, metadata, spec: { template } };
}

/** The container under test, as a main container or as a restartable sidecar beside a complete main one. */
function podSpec(where: "container" | "sidecar", container: Record<string, unknown>): Record<string, unknown> {
  const subject = { name: "subject", image: "img:1", resources: RESOURCES, ...container };
  if (where === "container") return { containers: [subject] };
  const main = {
    name: "main",
    image: "img:1",
    resources: RESOURCES,
    ports: [{ name: "http", containerPort: 80 }],
    readinessProbe: { tcpSocket: { port: "http" } },
    livenessProbe: { tcpSocket: { port: "http" }, periodSeconds: 15 },
  };
  return { containers: [main], initContainers: [{ ...subject, restartPolicy: "Always" }] };
}

function messageFor(
  kind: string,
  where: "container" | "sidecar",
  container: Record<string, unknown>,
  rule: Finding["rule"],
): string | undefined {
  return checkObject(workload(kind, podSpec(where, container)), { rules: [rule] }).find((f) => f.container === "subject")?.message;
}

const NO_READINESS = { ports: [{ name: "http", containerPort: 80 }], livenessProbe: { tcpSocket: { port: "http" }, periodSeconds: 15 } };
const NO_LIVENESS = { ports: [{ name: "http", containerPort: 80 }], readinessProbe: { tcpSocket: { port: "http" } } };
const READINESS_ON_MISSING_NAME = {
  ports: [{ name: "http", containerPort: 80 }],
  readinessProbe: { httpGet: { path: "/ready", port: "web" } },
  livenessProbe: { tcpSocket: { port: "http" }, periodSeconds: 15 },
};
const LIVENESS_ON_MISSING_NAME = {
  ports: [{ name: "http", containerPort: 80 }],
  readinessProbe: { tcpSocket: { port: "http" } },
  livenessProbe: { httpGet: { path: "/live", port: "web" }, periodSeconds: 15 },
};

describe("each message states the consequence for its kind of object", () => {
  it.each([
    // kind, container or sidecar, what the user would otherwise be told wrongly
    ["Deployment", "container", "the Deployment rollout replaces old pods the moment its process starts"],
    ["StatefulSet", "container", "the StatefulSet rollout replaces old pods"],
    ["DaemonSet", "container", "the DaemonSet rollout replaces old pods"],
    ["ReplicaSet", "container", "Services send it traffic the moment its process starts, ready or not"],
    ["Pod", "container", "Services that select this Pod send it traffic the moment its process starts"],
    [
      "Deployment",
      "sidecar",
      "the pod counts this sidecar as ready the moment it starts, so the pod takes Service traffic and the Deployment rollout moves on",
    ],
    ["Pod", "sidecar", "the pod counts this sidecar as ready the moment it starts, so the pod takes Service traffic before"],
  ] as const)("no readinessProbe: %s %s", (kind, where, consequence) => {
    const message = messageFor(kind, where, NO_READINESS, "readiness-probe-required")!;
    expect(message).toContain(consequence);
    if (kind === "Pod" || kind === "ReplicaSet") expect(message).not.toMatch(/rollout/);
  });

  it.each(["Job", "CronJob"])("no readinessProbe on a %s: not required, so no message", (kind) => {
    expect(messageFor(kind, "container", NO_READINESS, "readiness-probe-required")).toBeUndefined();
  });

  it.each([
    ["Deployment", "container", "a process that hangs without exiting is never restarted"],
    ["Pod", "container", "a bare Pod has no controller to replace it"],
    ["Deployment", "sidecar", "a sidecar that hangs without exiting is never restarted, and the pod's main containers carry on without it"],
  ] as const)("no livenessProbe: %s %s", (kind, where, consequence) => {
    expect(messageFor(kind, where, NO_LIVENESS, "liveness-probe-required")).toContain(consequence);
  });

  it.each([
    ["Deployment", "container", READINESS_ON_MISSING_NAME, "the pod never becomes ready and the Deployment rollout never completes"],
    ["Pod", "container", READINESS_ON_MISSING_NAME, "the pod never becomes ready and gets no Service traffic"],
    ["Job", "container", READINESS_ON_MISSING_NAME, "no Service sends it traffic (the Job itself does not wait for readiness)"],
    [
      "Deployment",
      "container",
      LIVENESS_ON_MISSING_NAME,
      "the kubelet kills the container after failureThreshold failed checks, again and again (CrashLoopBackOff), and the Deployment rollout stalls",
    ],
    ["Pod", "container", LIVENESS_ON_MISSING_NAME, "again and again (CrashLoopBackOff)"],
    ["Job", "container", LIVENESS_ON_MISSING_NAME, "the Job's pod fails or restarts until backoffLimit fails the Job"],
    ["CronJob", "container", LIVENESS_ON_MISSING_NAME, "the CronJob's pod fails or restarts until backoffLimit fails the Job"],
    ["Deployment", "sidecar", LIVENESS_ON_MISSING_NAME, "restarts the sidecar again and again"],
  ] as const)("a probe on a port name nobody declares: %s %s", (kind, where, container, consequence) => {
    const message = messageFor(kind, where, container, "probe-sanity")!;
    expect(message).toContain(consequence);
    // A liveness probe that fails is a restart, never "never becomes ready".
    if (container === LIVENESS_ON_MISSING_NAME) expect(message).not.toContain("never becomes ready");
  });

  it("a timeout at or above the period says what the kubelet does, not that checks overlap", () => {
    const message = messageFor(
      "Deployment",
      "container",
      { ...NO_LIVENESS, readinessProbe: { tcpSocket: { port: "http" }, timeoutSeconds: 10, periodSeconds: 5 } },
      "probe-sanity",
    )!;
    expect(message).toContain("the kubelet runs one check at a time");
    expect(message).not.toContain("overlap");
  });

  it("a numbered probe port missing from ports is a low-severity note: the kubelet needs no declaration", () => {
    const [f] = checkObject(
      workload(
        "Deployment",
        podSpec("container", {
          readinessProbe: { tcpSocket: { port: 6379 } },
          livenessProbe: { tcpSocket: { port: 6379 }, periodSeconds: 15 },
        }),
      ),
      { rules: ["probe-sanity"] },
    );
    expect(f.severity).toBe("low");
    expect(f.message).toContain("the kubelet probes it anyway");
    expect(f.message).not.toMatch(/never|fails/);
  });
});

describe("values that must not be repeated", () => {
  const TOKEN = "eyJhbGciOi.secret-token";
  const liveness = {
    httpGet: { path: "/healthz", port: 8080, httpHeaders: [{ name: "Authorization", value: `Bearer ${TOKEN}` }] },
    periodSeconds: 2,
  };

  it("a liveness probe's Authorization header is never copied into a fix or message", () => {
    const findings = checkObject(
      workload("Deployment", podSpec("container", { ports: [{ name: "http", containerPort: 8080 }], livenessProbe: liveness })),
    );
    const startup = findings.find((f) => f.fix?.includes("startupProbe"))!;
    expect(startup.fix).toContain('value: "[secret]"');
    expect(startup.fix).toMatch(/^# \[secret\] stands for/);
    for (const f of findings) expect(`${f.message}${f.fix ?? ""}`).not.toContain(TOKEN);
  });

  it("an exec command is never copied, nor quoted in a message about it", () => {
    const command = ["/bin/sh", "-c", `curl -H 'Authorization: ${TOKEN}' localhost`];
    const copied = checkObject(workload("Deployment", podSpec("container", { readinessProbe: { exec: { command } } })));
    expect(copied.find((f) => f.rule === "liveness-probe-required")!.fix).toContain('command: "[secret]"');
    const malformed = checkObject(
      workload(
        "Deployment",
        podSpec("container", { readinessProbe: { exec: { command } }, livenessProbe: { exec: { command: `curl ${TOKEN}` } } }),
      ),
    );
    expect(malformed.find((f) => f.path.endsWith("livenessProbe.exec.command"))!.message).toContain("but is a single string");
    const findings = [...copied, ...malformed];
    for (const f of findings) expect(`${f.message}${f.fix ?? ""}`).not.toContain(TOKEN);
  });

  it("a memory limit Pulumi marks secret is shown as [secret] in the resources fix and not judged", () => {
    const secretLimit = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "731Mi" };
    const findings = checkObject(workload("Deployment", podSpec("container", { resources: { limits: { memory: secretLimit } } })), {
      rules: ["resources-required", "resource-values-valid"],
    });
    expect(findings.map((f) => f.rule)).toEqual(["resources-required"]);
    expect(findings[0].fix).toContain('memory: "[secret]"');
    expect(JSON.stringify(findings)).not.toContain("731Mi");
  });
});

describe("ports unknown during preview: probe-sanity neither passes nor fails", () => {
  const probes = {
    readinessProbe: { httpGet: { path: "/ready", port: "http" } },
    livenessProbe: { tcpSocket: { port: 9090 }, periodSeconds: 15 },
  };

  it.each([
    ["the whole ports list", UNKNOWN_ARRAY],
    ["a port's name", [{ name: UNKNOWN_STRING, containerPort: 8080 }]],
  ])("%s unknown: no finding about the probe ports", (_what, ports) => {
    const findings = checkObject(workload("Deployment", podSpec("container", { ...probes, ports })), { rules: ["probe-sanity"] });
    expect(findings.filter((f) => f.path.endsWith(".port"))).toEqual([]);
  });

  it("once known, the same ports are judged", () => {
    const findings = checkObject(
      workload("Deployment", podSpec("container", { ...probes, ports: [{ name: "web", containerPort: 8080 }] })),
      { rules: ["probe-sanity"] },
    );
    expect(findings.map((f) => f.path.replace(/^.*containers\[0\]\./, ""))).toEqual([
      "readinessProbe.httpGet.port",
      "livenessProbe.tcpSocket.port",
    ]);
  });
});
