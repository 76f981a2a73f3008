/** AksCluster refuses impossible arguments at construction, naming the argument and the fix. */
import { AksCluster, type AksClusterArgs } from "../../components/aks-cluster";
import { validateAksArgs } from "../../components/aks-validate";
import { mockPulumi } from "./mocks";

const mocks = mockPulumi();

const refusals: [string, AksClusterArgs, string | RegExp][] = [
  [
    "user pool min above max",
    { userMinCount: 5, userMaxCount: 2 },
    'AksCluster "bad": userMinCount (5) is above userMaxCount (2); set userMaxCount to at least 5',
  ],
  [
    "system pool min above max",
    { systemNodeCount: 3, systemMaxCount: 2 },
    "systemNodeCount (3) is above systemMaxCount (2); set systemMaxCount to at least 3",
  ],
  ["an empty system pool", { systemNodeCount: 0 }, /systemNodeCount must be a whole number of at least 1/],
  [
    "a surge that is neither count nor percentage",
    { maxSurge: "lots" },
    /maxSurge must be a node count such as "1" or a percentage such as "33%"/,
  ],
  ["admin credentials without local accounts", { adminCredentials: true }, /adminCredentials needs disableLocalAccounts: false/],
  [
    "authorized ranges on a private API server",
    { privateCluster: true, authorizedIpRanges: ["203.0.113.0/24"] },
    "authorizedIpRanges restrict a public API server, and privateCluster: true has none; remove authorizedIpRanges or set privateCluster: false",
  ],
  [
    "a range that is no CIDR",
    { authorizedIpRanges: ["203.0.113.0/33", "office"] },
    'authorizedIpRanges must be IPv4 addresses or CIDR ranges such as "203.0.113.0/24"; got "203.0.113.0/33", "office"',
  ],
  ["a negative access wait", { accessWaitSeconds: -1 }, /accessWaitSeconds must be a whole number of seconds, 0 to skip the wait; got -1/],
  [
    "a principal for a grant that is off",
    { grantDeployerClusterAdmin: false, clusterAdminPrincipalId: "oid" },
    /clusterAdminPrincipalId is given but grantDeployerClusterAdmin is false/,
  ],
  ["a service range without its DNS IP", { serviceCidr: "172.16.0.0/16" }, /serviceCidr and dnsServiceIp go together: set both/],
  ["UDR egress without a subnet", { outboundType: "userDefinedRouting" }, /outboundType "userDefinedRouting" needs vnetSubnetId/],
  ["cost analysis on the Free tier", { costAnalysis: true, skuTier: "Free" }, /costAnalysis needs skuTier "Standard" or "Premium"/],
  [
    "log categories without a workspace",
    { diagnosticLogCategories: ["kube-audit"] },
    /diagnosticLogCategories need somewhere to go: set logAnalyticsWorkspaceId/,
  ],
  [
    "windows with planned maintenance off",
    { plannedMaintenance: false, upgradeWindow: { dayOfWeek: "Monday" } },
    /upgradeWindow\/nodeOSUpgradeWindow have no effect with plannedMaintenance: false/,
  ],
  [
    "a window too short",
    { upgradeWindow: { durationHours: 2 } },
    "upgradeWindow.durationHours must be a whole number from 4 to 24 (AKS's limits for upgrade windows); got 2",
  ],
  [
    "a start time past midnight",
    { nodeOSUpgradeWindow: { startTime: "24:00" } },
    'nodeOSUpgradeWindow.startTime must be "HH:mm" (24-hour), e.g. "22:00"; got "24:00"',
  ],
  ["an offset without sign", { upgradeWindow: { utcOffset: "01:00" } }, /upgradeWindow.utcOffset must be "\+HH:mm" or "-HH:mm"/],
  [
    "a day that is no weekday",
    { upgradeWindow: { dayOfWeek: "Funday" as never } },
    /upgradeWindow.dayOfWeek must be one of Monday, .*Sunday; got "Funday"/,
  ],
  [
    "an interval of five weeks",
    { upgradeWindow: { intervalWeeks: 5 } },
    /upgradeWindow.intervalWeeks must be a whole number from 1 to 4; got 5/,
  ],
  [
    "a pool name AKS refuses",
    { nodePools: [{ name: "Team-A" }] },
    'nodePools[0].name must be 1 to 12 lowercase letters and digits, starting with a letter; got "Team-A"',
  ],
  [
    "a pool named like the cluster's own",
    { nodePools: [{ name: "user" }] },
    /nodePools\[0\].name "user" is taken by the cluster's own pool/,
  ],
  [
    "two pools of one name",
    { nodePools: [{ name: "web" }, { name: "web" }] },
    'nodePools has more than one pool named "web"; pool names must be unique',
  ],
  [
    "a pool's min above its max",
    { nodePools: [{ name: "web", minCount: 4, maxCount: 3 }] },
    "nodePools[0].minCount (4) is above nodePools[0].maxCount (3); set nodePools[0].maxCount to at least 4",
  ],
  [
    "a pool without zones in a zonal cluster",
    { nodePools: [{ name: "web", zones: [] }] },
    'nodePools[0].zones is empty in a zonal cluster (zones ["1","2","3"]): leave it unset to use the cluster\'s zones, or list some of them',
  ],
  [
    "a pool in a zone the cluster lacks",
    { zones: ["1", "2"], nodePools: [{ name: "web", zones: ["3"] }] },
    /nodePools\[0\].zones \["3"\] are not among the cluster's zones \["1","2"\]/,
  ],
  [
    "a taint without effect",
    { nodePools: [{ name: "gpu", taints: ["sku=gpu"] }] },
    /nodePools\[0\].taints must look like "key=value:NoSchedule".*got "sku=gpu"/,
  ],
  [
    "a spot system pool",
    { nodePools: [{ name: "sys2", mode: "System", spot: true }] },
    /nodePools\[0\] cannot be a spot pool in mode "System"/,
  ],
  [
    "a spot price on a regular pool",
    { nodePools: [{ name: "web", spotMaxPrice: 0.1 }] },
    /nodePools\[0\].spotMaxPrice applies only to spot pools/,
  ],
  [
    "a zero spot price",
    { nodePools: [{ name: "spot", spot: true, spotMaxPrice: 0 }] },
    /nodePools\[0\].spotMaxPrice must be -1 .* or a price above 0/,
  ],
];

describe("AksCluster validation", () => {
  it.each(refusals)("refuses %s before anything is registered", async (_case, args, message) => {
    mocks.reset();
    expect(() => new AksCluster("bad", args)).toThrow(message);
    expect(await mocks.resources()).toEqual([]);
  });

  it("reports every problem at once", () => {
    expect(() => new AksCluster("bad", { userMinCount: 3, userMaxCount: 1, maxSurge: "0" })).toThrow(
      /userMinCount \(3\) is above userMaxCount \(1\).*; maxSurge must be/,
    );
  });

  it("accepts what the baseline itself sets, spot and GPU pools, and zoneless regions", () => {
    const good: AksClusterArgs[] = [
      {
        authorizedIpRanges: ["203.0.113.0/24", "198.51.100.7"],
        upgradeWindow: { dayOfWeek: "Saturday", startTime: "22:00", durationHours: 24, utcOffset: "-05:30", intervalWeeks: 4 },
      },
      {
        privateCluster: true,
        serviceCidr: "172.16.0.0/16",
        dnsServiceIp: "172.16.0.10",
        outboundType: "userDefinedRouting",
        vnetSubnetId: "/subnets/nodes",
      },
      {
        nodePools: [
          { name: "spot", spot: true, spotMaxPrice: 0.05 },
          { name: "gpu", zones: ["1"], taints: ["nvidia.com/gpu=present:NoSchedule", "dedicated:NoExecute"] },
        ],
      },
      { zones: [], nodePools: [{ name: "web", zones: [] }] },
      { systemNodeCount: 5 },
    ];
    for (const args of good) expect(() => validateAksArgs("good", args)).not.toThrow();
  });
});
