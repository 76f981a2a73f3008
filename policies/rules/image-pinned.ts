/**
 * image-pinned (advisory): every container names its image by a version tag or a digest. A
 * tag-less or `latest` image means "whatever the registry holds now": a rollback redeploys the
 * same broken build, and two pods of one revision may run different code. AKS Deployment
 * Safeguards warn on the same thing (https://learn.microsoft.com/azure/aks/deployment-safeguards).
 */
import type { ContainerRef, Finding, ImagePinnedConfig, PodTemplate, Rule } from "./types";
import { field, isUnknown, join } from "./read";
import { finding } from "./finding";
import { describeContainer } from "./describe";
import { commonSchema } from "./schema";
import { RULE_DEFAULTS } from "./defaults";

export const imagePinned: Rule<"image-pinned"> = {
  id: "image-pinned",
  title: "Images pinned to a version or digest",
  description:
    "Every container's image carries a version tag or an @sha256 digest, not `latest` or no tag, so a rollback really returns to the previous build.",
  defaultLevel: "advisory",
  severity: "medium",
  defaults: RULE_DEFAULTS["image-pinned"],
  configSchema: {
    properties: {
      ...commonSchema,
      requireDigest: {
        type: "boolean",
        default: RULE_DEFAULTS["image-pinned"].requireDigest,
        description: "Require an @sha256 digest; a tag can be moved to another build.",
      },
    },
  },
  check(template: PodTemplate, config: ImagePinnedConfig): Finding[] {
    const findings: Finding[] = [];
    for (const c of template.containers) {
      const image = field(c.spec, "image");
      // A missing image is the API server's error to report; an Output is judged once it is known.
      if (typeof image !== "string" || image === "" || isUnknown(image)) continue;
      const problem = unpinned(image, config.requireDigest ?? RULE_DEFAULTS["image-pinned"].requireDigest);
      if (problem) findings.push(imageFinding(template, c, image, problem));
    }
    return findings;
  },
};

/** Why `image` is not pinned, or undefined when it is. */
export function unpinned(image: string, requireDigest: boolean): string | undefined {
  if (image.includes("@")) return undefined; // repo@sha256:… (a tag before the digest is ignored by the runtime)
  if (requireDigest) return "has no @sha256 digest, and a tag can be moved to another build";
  const tag = imageTag(image);
  if (tag === undefined) return "has no tag, so it means `latest`";
  if (tag === "latest") return "uses the `latest` tag";
  return undefined;
}

/** The tag of `repo[:port]/path[:tag]`: a colon in the last path segment only (a registry port is not a tag). */
function imageTag(image: string): string | undefined {
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const colon = lastSegment.indexOf(":");
  return colon < 0 ? undefined : lastSegment.slice(colon + 1);
}

function imageFinding(template: PodTemplate, c: ContainerRef, image: string, problem: string): Finding {
  const repository = repositoryOf(image);
  return finding(
    {
      rule: "image-pinned",
      severity: "medium",
      resource: template.resource,
      container: c.name,
      path: join(c.path, "image"),
      message: `${describeContainer(c)}: image "${image}" ${problem}; a rollback would redeploy whatever that name points at now, the same broken build. Pin a version tag or an @sha256 digest`,
    },
    { image: `${repository}:<version>` },
  );
}

function repositoryOf(image: string): string {
  const slash = image.lastIndexOf("/");
  const colon = image.indexOf(":", slash + 1);
  return colon < 0 ? image : image.slice(0, colon);
}
