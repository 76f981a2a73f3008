/**
 * The CEL cost of one evaluation of each generated admission policy for a 20-container pod,
 * estimated by the method in test/support/cel-cost.ts, against the API server's 1,000,000 per
 * expression. Prints one line per expression, `worst=<cost> limit=1000000`, and last
 * `ratio=<the costliest expression, the 256 KiB annotation included / the limit>` (target < 1).
 *
 *   npm run bench:admission-cost
 */
import type { ValidatingAdmissionPolicy } from "kubernetes-types/admissionregistration/v1";
import { admissionPolicies } from "../admission";
import { STRICT_CONFIGS, policyCosts } from "../test/support/cel-cost";

const sizes = { containers: 20, resourceNames: 8, ownerReferences: 5, annotation: 1024, text: 253 };
const configs = STRICT_CONFIGS;
let worst = 0;
console.log(`sizes: ${JSON.stringify(sizes)}`);
for (const policy of admissionPolicies({ configs }).filter((o): o is ValidatingAdmissionPolicy => o.kind === "ValidatingAdmissionPolicy")) {
  for (const { where, cost } of policyCosts(policy, sizes)) {
    console.log(`${policy.metadata!.name!.padEnd(38)} ${where.padEnd(40)} ${String(cost).padStart(8)}`);
    worst = Math.max(worst, cost);
  }
}
const annotationWorst = Math.max(
  ...admissionPolicies({ configs })
    .filter((o): o is ValidatingAdmissionPolicy => o.kind === "ValidatingAdmissionPolicy")
    .flatMap((p) =>
      policyCosts(p, { ...sizes, annotation: 256 * 1024 })
        .filter((c) => c.where.includes("not-exempt"))
        .map((c) => c.cost),
    ),
);
console.log(`exemption match with a 256 KiB annotation: ${annotationWorst}`);
const LIMIT = 1_000_000;
console.log(`worst=${worst} limit=${LIMIT}`);
console.log(
  `ratio=${(Math.max(worst, annotationWorst) / LIMIT).toFixed(2)} (the costliest expression / the API server's limit; target < 1)`,
);
