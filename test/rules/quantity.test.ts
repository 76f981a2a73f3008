import fc from "fast-check";
import { compareQuantities, parseQuantity } from "../../policies/rules";

/** Cases from upstream `resource.Quantity` tests (apimachinery quantity_test.go): input → value in nano-units. */
const UPSTREAM: Array<[string, bigint]> = [
  ["0", 0n],
  ["0n", 0n],
  ["0u", 0n],
  ["0m", 0n],
  ["0Ki", 0n],
  ["0k", 0n],
  ["0Mi", 0n],
  ["0M", 0n],
  ["0Gi", 0n],
  ["0G", 0n],
  ["0Ti", 0n],
  ["0T", 0n],
  ["1", 10n ** 9n],
  ["1Ki", 1024n * 10n ** 9n],
  ["8Ki", 8n * 1024n * 10n ** 9n],
  ["7Mi", 7n * 2n ** 20n * 10n ** 9n],
  ["6Gi", 6n * 2n ** 30n * 10n ** 9n],
  ["5Ti", 5n * 2n ** 40n * 10n ** 9n],
  ["4Pi", 4n * 2n ** 50n * 10n ** 9n],
  ["3Ei", 3n * 2n ** 60n * 10n ** 9n],
  ["100Ti", 100n * 2n ** 40n * 10n ** 9n],
  ["5n", 5n],
  ["4u", 4000n],
  ["3m", 3_000_000n],
  ["9", 9n * 10n ** 9n],
  ["8k", 8n * 10n ** 12n],
  ["50k", 5n * 10n ** 13n],
  ["7M", 7n * 10n ** 15n],
  ["6G", 6n * 10n ** 18n],
  ["5T", 5n * 10n ** 21n],
  ["40T", 4n * 10n ** 22n],
  ["300T", 3n * 10n ** 23n],
  ["2P", 2n * 10n ** 24n],
  ["1E", 10n ** 27n],
  ["1E-3", 10n ** 6n],
  ["1e3", 10n ** 12n],
  ["1E6", 10n ** 15n],
  ["1e9", 10n ** 18n],
  ["1E12", 10n ** 21n],
  ["1e15", 10n ** 24n],
  ["1E18", 10n ** 27n],
  ["1e14", 10n ** 23n],
  ["1e13", 10n ** 22n],
  ["100.035k", 100035n * 10n ** 9n],
  ["0.001", 10n ** 6n],
  ["0.0005k", 5n * 10n ** 8n],
  ["0.005", 5n * 10n ** 6n],
  ["0.05", 5n * 10n ** 7n],
  ["0.5", 5n * 10n ** 8n],
  ["0.00050k", 5n * 10n ** 8n],
  ["0.00500", 5n * 10n ** 6n],
  ["0.05000", 5n * 10n ** 7n],
  ["0.50000", 5n * 10n ** 8n],
  ["0.5e0", 5n * 10n ** 8n],
  ["0.5e-1", 5n * 10n ** 7n],
  ["0.5e-2", 5n * 10n ** 6n],
  ["10.035M", 10035n * 10n ** 12n],
  ["1.2e3", 12n * 10n ** 11n],
  ["1.3E+6", 13n * 10n ** 14n],
  ["1.40e9", 14n * 10n ** 17n],
  ["1.53E12", 153n * 10n ** 19n],
  ["1.6e15", 16n * 10n ** 23n],
  ["1.7E18", 17n * 10n ** 26n],
  ["9.01", 901n * 10n ** 7n],
  ["8.1k", 81n * 10n ** 11n],
  ["7.123456M", 7123456n * 10n ** 9n],
  ["6.987654321G", 6987654321n * 10n ** 9n],
  ["5.444T", 5444n * 10n ** 18n],
  ["40.1T", 401n * 10n ** 20n],
  ["300.2T", 3002n * 10n ** 20n],
  ["2.5P", 25n * 10n ** 23n],
  ["1.01E", 101n * 10n ** 25n],
  // Things that round up to the nano
  ["3.001n", 4n],
  ["1.1E-9", 2n],
  ["0.0000000001", 1n],
  ["0.0000000005", 1n],
  ["0.00000000050", 1n],
  ["0.5e-9", 1n],
  ["0.9n", 1n],
  ["0.00000012345", 124n],
  ["0.00000012354", 124n],
  // Things that saturate at 2^63-1
  ["9Ei", (2n ** 63n - 1n) * 10n ** 9n],
  ["9223372036854775807Ki", (2n ** 63n - 1n) * 10n ** 9n],
  ["12E", 12n * 10n ** 27n],
  // Fractional binary
  ["100.035Ki", 10243584n * 10n ** 7n],
  ["0.5Mi", 524288n * 10n ** 9n],
  ["0.05Gi", 536870912n * 10n ** 8n],
  ["0.025Ti", 274877906944n * 10n ** 8n],
  // Written by trolls
  ["0.000000000001Ki", 2n],
  [".001", 10n ** 6n],
  [".0001k", 10n ** 8n],
  ["1.", 10n ** 9n],
  ["1.G", 10n ** 18n],
];

const UPSTREAM_INVALID = ["1.1.M", "1+1.0M", "0.1mi", "0.1am", "aoeu", ".5i", "1i", "-3.01i", "-3.01e-", " 1", "1 ", ""];

describe("Kubernetes quantities", () => {
  it.each(UPSTREAM)("parses %s exactly as upstream does", (input, nanos) => {
    const r = parseQuantity(input);
    expect(r.ok && r.quantity.nanos).toBe(nanos);
    // upstream also accepts every case with an explicit sign
    const neg = parseQuantity("-" + input);
    expect(neg.ok && neg.quantity.nanos).toBe(-nanos);
    const pos = parseQuantity("+" + input);
    expect(pos.ok && pos.quantity.nanos).toBe(nanos);
  });

  it.each(UPSTREAM_INVALID.map((s) => [s]))("rejects %j with a message instead of throwing", (input) => {
    const r = parseQuantity(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/quantity/);
  });

  it("rejects the common mistakes users make", () => {
    for (const input of ["512MB", "1.5.5", "1GB", "2 Gi", "1K", "1toString", "1__proto__", null, {}, true])
      expect(parseQuantity(input).ok).toBe(false);
    expect(parseQuantity(NaN).ok).toBe(false);
    expect(parseQuantity(12n)).toEqual({ ok: false, error: 'expected a quantity string such as "256Mi", got bigint 12' });
    expect(parseQuantity([1])).toEqual({ ok: false, error: 'expected a quantity string such as "256Mi", got a list' });
  });

  it("accepts JSON numbers as Kubernetes does", () => {
    const r = parseQuantity(0.5);
    expect(r.ok && r.quantity.nanos).toBe(500_000_000n);
  });

  it("compares exactly where floating point would drift", () => {
    const q = (s: string) => {
      const r = parseQuantity(s);
      if (!r.ok) throw new Error(r.error);
      return r.quantity;
    };
    expect(compareQuantities(q("1Gi"), q("1073741824"))).toBe(0);
    expect(compareQuantities(q("0.1"), q("100m"))).toBe(0);
    expect(compareQuantities(q("0.3"), q("0.1e0"))).toBe(1);
    // 0.1 + 0.2 != 0.3 in floats; here 300m is exactly 0.3
    expect(compareQuantities(q("300m"), q("0.3"))).toBe(0);
    expect(compareQuantities(q("1000000000000000001m"), q("1000000000000000000m"))).toBe(1);
  });

  it("agrees with an independent decimal model on generated quantities (property)", () => {
    const suffixes: Array<[string, bigint, number]> = [
      ["", 1n, 0],
      ["m", 1n, -3],
      ["k", 1n, 3],
      ["M", 1n, 6],
      ["G", 1n, 9],
      ["Ki", 1024n, 0],
      ["Mi", 1024n ** 2n, 0],
      ["Gi", 1024n ** 3n, 0],
    ];
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.nat({ max: 6 }),
        fc.constantFrom(...suffixes),
        (digits, fractionLength, [suffix, mul, exp]) => {
          const text = digits.toString().padStart(fractionLength + 1, "0");
          const literal = fractionLength ? `${text.slice(0, -fractionLength)}.${text.slice(-fractionLength)}` : text;
          const r = parseQuantity(literal + suffix);
          // value = digits × 10^-fractionLength × mul × 10^exp, in nanos, rounded up
          const scale = 9 + exp - fractionLength;
          const raw = digits * mul;
          // binary suffixes saturate at 2^63-1 units, as upstream does
          const cap = mul > 1n ? (2n ** 63n - 1n) * 10n ** 9n : undefined;
          const exact = scale >= 0 ? raw * 10n ** BigInt(scale) : (raw + 10n ** BigInt(-scale) - 1n) / 10n ** BigInt(-scale);
          const expected = cap !== undefined && exact > cap ? cap : exact;
          return r.ok && r.quantity.nanos === expected;
        },
      ),
      { numRuns: 500 },
    );
  });

  it("orders quantities consistently: antisymmetric and transitive (property)", () => {
    const quantity = fc
      .tuple(fc.nat({ max: 5000 }), fc.constantFrom("", "m", "k", "Ki", "Mi", "M", "e2", "e-2"))
      .map(([n, s]) => `${n}${s}`);
    fc.assert(
      fc.property(quantity, quantity, quantity, (a, b, c) => {
        const [qa, qb, qc] = [a, b, c].map((s) => {
          const r = parseQuantity(s);
          if (!r.ok) throw new Error(s);
          return r.quantity;
        });
        if (compareQuantities(qa, qb) !== -compareQuantities(qb, qa)) return false;
        if (compareQuantities(qa, qb) <= 0 && compareQuantities(qb, qc) <= 0) return compareQuantities(qa, qc) <= 0;
        return true;
      }),
      { numRuns: 500 },
    );
  });
});
