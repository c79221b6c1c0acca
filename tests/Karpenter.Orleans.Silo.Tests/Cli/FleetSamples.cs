using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Silo.Tests.Cli;

/// <summary>The fixed fleet the fake server answers with: two clusters, three node shapes, three claims, two pending pods.</summary>
internal static class FleetSamples
{
    private const long GiB = 1024L * 1024 * 1024;

    private static readonly DateTimeOffset Now = KarpoFleet.Now;

    public static readonly ClusterStatus[] Clusters =
    [
        new("prod-east", "aws", "us-east-1", "111122223333", Pods: 120, PendingPods: 2, Nodes: 12, NodeClaims: 13,
            PricePerHour: 1.68, SpendCapPerHour: 10.0, LastProvisionedAt: Now.AddMinutes(-5), LastSequence: 42, AgentConnected: true),
        new("dev-west", "simulated", "us-west-2", "dev", Pods: 8, PendingPods: 0, Nodes: 2, NodeClaims: 2,
            PricePerHour: 0.0832, SpendCapPerHour: null, LastProvisionedAt: null, LastSequence: 7, AgentConnected: false),
    ];

    /// <summary>Nodes per shape with the cluster and region they run in; the fake server groups these for /capacity.</summary>
    public static readonly (string Cluster, string Region, CapacityItem Item)[] Capacity =
    [
        ("prod-east", "us-east-1", new CapacityItem("general", "m5.large", "us-east-1a", "spot", 4, 8_000, 32 * GiB, 0.144)),
        ("prod-east", "us-east-1", new CapacityItem("general", "m5.xlarge", "us-east-1b", "on-demand", 8, 32_000, 128 * GiB, 1.536)),
        ("dev-west", "us-west-2", new CapacityItem("default", "t3.medium", "us-west-2a", "on-demand", 2, 4_000, 8 * GiB, 0.0832)),
    ];

    public static readonly NodeClaimInfo[] NodeClaims =
    [
        new("prod-east", "general-abc12", "general", NodeClaimPhase.Initialized, "i-0abc", "m5.large", "us-east-1a", "spot", 0.036,
            "ip-10-0-1-5", 2_000, 8 * GiB, Now.AddHours(-3).AddMinutes(-10), Now.AddHours(-3), Now.AddHours(-3), Now.AddHours(-3), null, null),
        new("prod-east", "general-def34", "general", NodeClaimPhase.Pending, null, null, null, null, 0,
            null, 0, 0, Now.AddSeconds(-40), null, null, null, null, null),
        new("dev-west", "default-x1y2z", "default", NodeClaimPhase.Terminated, "sim-17", "t3.medium", "us-west-2a", "on-demand", 0.0416,
            "sim-node-17", 2_000, 4 * GiB, Now.AddDays(-2).AddHours(-4), Now.AddDays(-2), Now.AddDays(-2), Now.AddDays(-2), Now.AddHours(-1), "expired"),
    ];

    public static readonly FleetPendingPod[] Pending =
    [
        new("prod-east", "default", "web-7", "no instance type fits: requests 96 cpu, the largest offering has 64", Now.AddMinutes(-15)),
        new("prod-east", "batch", "api-2", "waiting for node claim general-def34 to launch", Now.AddSeconds(-40), "general-def34"),
    ];

    public static readonly FleetCost Cost = new(
        PricePerHour: 1.7632,
        CommittedPerHour: 1.8632,
        SpendCapPerHour: 20.0,
        Clusters:
        [
            new ClusterCost("prod-east", "us-east-1", 1.68, 10.0, 12, 2),
            new ClusterCost("dev-west", "us-west-2", 0.0832, null, 2, 0),
        ]);
}
