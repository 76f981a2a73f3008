// The baseline for bench/policy-throughput: a pack with no policies, so what it measures is the
// engine protocol and the policy SDK's own per-resource cost.
const { PolicyPack } = require("@pulumi/policy");

new PolicyPack("empty", { policies: [] });
