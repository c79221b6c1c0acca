using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Cli.Fleet;

/// <summary>The listings of the fleet's objects: clusters, NodeClaims, pending pods and NodePools.</summary>
internal static class FleetListings
{
    public static FleetListing<ClusterStatus> Clusters { get; } = new()
    {
        Kind = "cluster",
        Name = c => c.ClusterId,
        Sort = all => all.OrderBy(c => c.ClusterId, StringComparer.Ordinal),
        Headers = ["CLUSTER", "PROVIDER", "REGION", "ACCOUNT", "NODES", "CLAIMS", "PODS", "PENDING", "$/H", "CAP $/H", "AGENT", "LAST PROVISIONED"],
        Cells = (c, now) =>
        [
            FleetFormat.Text(c.ClusterId),
            FleetFormat.Text(c.Provider),
            FleetFormat.Text(c.Region),
            FleetFormat.Text(c.Account),
            FleetFormat.Count(c.Nodes),
            FleetFormat.Count(c.NodeClaims),
            FleetFormat.Count(c.Pods),
            FleetFormat.Count(c.PendingPods),
            FleetFormat.Price(c.PricePerHour),
            FleetFormat.Price(c.SpendCapPerHour),
            c.AgentConnected ? "connected" : "-",
            c.LastProvisionedAt is { } at ? FleetFormat.Age(at, now) + " ago" : "never",
        ],
        WideHeaders = ["OF CAP", "SEQUENCE"],
        WideCells = (c, _) => [OfCap(c.PricePerHour, c.SpendCapPerHour), FleetFormat.Count(c.LastSequence)],
        Empty = () => "No clusters registered.",
        Summary = clusters =>
        [
            $"{FleetFormat.Plural(clusters.Count, "cluster")}: {FleetFormat.Plural(clusters.Sum(c => c.Nodes), "node")}, " +
            $"{FleetFormat.Plural(clusters.Sum(c => c.PendingPods), "pending pod")}, ${FleetFormat.Price(clusters.Sum(c => c.PricePerHour))}/hour",
        ],
    };

    public static FleetListing<NodeClaimInfo> NodeClaims { get; } = new()
    {
        Kind = "nodeclaim",
        Name = c => $"{c.ClusterId}/{c.Name}",
        Sort = all => all
            .OrderBy(c => c.ClusterId, StringComparer.Ordinal)
            .ThenBy(c => c.CreatedAt)
            .ThenBy(c => c.Name, StringComparer.Ordinal),
        Headers = ["CLUSTER", "NAME", "NODEPOOL", "PHASE", "TYPE", "ZONE", "CAPACITY", "$/H", "CPU(cores)", "MEMORY(GiB)", "NODE", "AGE", "REASON"],
        Cells = (c, now) =>
        [
            FleetFormat.Text(c.ClusterId),
            FleetFormat.Text(c.Name),
            FleetFormat.Text(c.NodePool),
            c.Phase.ToString(),
            FleetFormat.Text(c.InstanceType),
            FleetFormat.Text(c.Zone),
            FleetFormat.Text(c.CapacityType),
            FleetFormat.Price(c.PricePerHour),
            FleetFormat.Cores(c.CapacityMilliCpu),
            FleetFormat.GiB(c.CapacityMemory),
            FleetFormat.Text(c.NodeName),
            FleetFormat.Age(c.CreatedAt, now),
            FleetFormat.Text(c.Reason),
        ],
        WideHeaders = ["INSTANCE", "LAUNCHED", "REGISTERED", "INITIALIZED", "INTERRUPTION"],
        WideCells = (c, _) =>
        [
            FleetFormat.Text(c.InstanceId),
            FleetFormat.Time(c.LaunchedAt),
            FleetFormat.Time(c.RegisteredAt),
            FleetFormat.Time(c.InitializedAt),
            c.Interruption is { } notice ? $"{notice.Kind} at {FleetFormat.Time(notice.At)}" : "-",
        ],
        Empty = () => "No node claims.",
        Summary = claims =>
        {
            // Terminated claims stay listed for a while but no longer cost anything.
            var live = claims.Where(c => c.Phase != NodeClaimPhase.Terminated).ToList();
            return [$"{FleetFormat.Plural(claims.Count, "node claim")}: {live.Count} live at ${FleetFormat.Price(live.Sum(c => c.PricePerHour))}/hour"];
        },
    };

    public static FleetListing<NodePoolStatus> NodePools { get; } = new()
    {
        Kind = "nodepool",
        Name = p => $"{p.ClusterId}/{p.Name}",
        Sort = all => all.OrderBy(p => p.ClusterId, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal),
        Headers = ["CLUSTER", "NAME", "WEIGHT", "VALID", "NODES", "CLAIMS", "USAGE", "LIMITS"],
        Cells = (p, _) =>
        [
            FleetFormat.Text(p.ClusterId),
            FleetFormat.Text(p.Name),
            FleetFormat.Count(p.Weight),
            p.Valid ? "True" : "False",
            FleetFormat.Count(p.Nodes),
            FleetFormat.Count(p.NodeClaims),
            FleetFormat.Quantities(p.Usage),
            FleetFormat.Quantities(p.Limits),
        ],
        WideHeaders = ["ERROR"],
        WideCells = (p, _) => [FleetFormat.Text(p.Error)],
        Empty = () => "No NodePools.",
        Summary = pools =>
        {
            var clusters = pools.Select(p => p.ClusterId).Distinct(StringComparer.Ordinal).Count();
            var invalid = pools.Count(p => !p.Valid);
            return [$"{FleetFormat.Plural(pools.Count, "NodePool")} in {FleetFormat.Plural(clusters, "cluster")}, {FleetFormat.Count(invalid)} invalid"];
        },
    };

    /// <summary>Pending pods; the empty sentence names the cluster asked about, if any.</summary>
    public static FleetListing<FleetPendingPod> Pending(string? cluster) => new()
    {
        Kind = "pod",
        Name = p => $"{p.ClusterId}/{p.Namespace}/{p.Name}",
        Sort = all => all
            .OrderBy(p => p.ClusterId, StringComparer.Ordinal)
            .ThenBy(p => p.PendingSince)
            .ThenBy(p => p.Namespace, StringComparer.Ordinal)
            .ThenBy(p => p.Name, StringComparer.Ordinal),
        Headers = ["CLUSTER", "NAMESPACE", "NAME", "PENDING", "NODECLAIM", "REASON"],
        Cells = (p, now) =>
        [
            FleetFormat.Text(p.ClusterId),
            FleetFormat.Text(p.Namespace),
            FleetFormat.Text(p.Name),
            FleetFormat.Age(p.PendingSince, now),
            FleetFormat.Text(p.NodeClaim),
            FleetFormat.Text(p.Reason),
        ],
        WideHeaders = ["SINCE"],
        WideCells = (p, _) => [FleetFormat.Time(p.PendingSince)],
        Empty = () => cluster is null ? "No pending pods." : $"No pending pods in cluster '{cluster}'.",
        Summary = pods =>
        {
            var clusters = pods.Select(p => p.ClusterId).Distinct(StringComparer.Ordinal).Count();
            return [$"{FleetFormat.Plural(pods.Count, "pending pod")} in {FleetFormat.Plural(clusters, "cluster")}"];
        },
    };

    public static string OfCap(double pricePerHour, double? capPerHour) =>
        capPerHour is { } cap && cap > 0 ? FleetFormat.Percent(100 * pricePerHour / cap) : "-";
}
