/**
 * The CEL cost of one evaluation, estimated by test/support/cel-cost.ts (method stated there and in
 * docs/admission.md) for a 20-container pod, must stay well under the API server's 1,000,000 per
 * expression; `npm run bench:admission-cost` prints the table.
 */
import type { ValidatingAdmissionPolicy } from "kubernetes-types/admissionregistration/v1";
import { admissionPolicies } from "../../admission";
import { STRICT_CONFIGS, policyCosts, type Sizes } from "../support/cel-cost";

const PER_EXPRESSION_LIMIT = 1_000_000;
const STRICT = { configs: STRICT_CONFIGS };
const policies = admissionPolicies(STRICT).filter((o): o is ValidatingAdmissionPolicy => o.kind === "ValidatingAdmissionPolicy");

const POD_OF_20: Sizes = { containers: 20, resourceNames: 8, ownerReferences: 5, annotation: 1024, text: 253 };

describe("CEL cost of the generated policies", () => {
  it("a 20-container pod costs each expression under a tenth of the per-expression limit", () => {
    const worst = policies.flatMap((p) => policyCosts(p, POD_OF_20)).reduce((a, b) => (b.cost > a.cost ? b : a));
    expect(worst.cost).toBeGreaterThan(1000); // the estimate counts the containers at all
    expect(worst.cost).toBeLessThan(PER_EXPRESSION_LIMIT / 10);
  });

  it("reaches the limit only far beyond any real pod", () => {
    const worst = (n: number) => Math.max(...policies.flatMap((p) => policyCosts(p, { ...POD_OF_20, containers: n }).map((c) => c.cost)));
    expect(worst(200)).toBeLessThan(PER_EXPRESSION_LIMIT);
  });

  it("the exemption match stays under the limit even for an annotation of the 256 KiB all annotations may total", () => {
    const worst = Math.max(
      ...policies.flatMap((p) =>
        policyCosts(p, { ...POD_OF_20, annotation: 256 * 1024 })
          .filter((c) => c.where.includes("not-exempt"))
          .map((c) => c.cost),
      ),
    );
    expect(worst).toBeLessThan(PER_EXPRESSION_LIMIT);
  });
});
