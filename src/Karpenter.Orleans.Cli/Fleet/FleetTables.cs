using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Cli.Output;

namespace Karpenter.Orleans.Cli.Fleet;

/// <summary>
/// The human tables of the fleet commands. Rows are sorted here (the API's order depends on which grain answered
/// first), and each table ends with a one-line summary. An empty answer prints one sentence instead of bare headers.
/// </summary>
internal static class FleetTables
{
    public static void Clusters(IReadOnlyList<ClusterStatus> clusters, DateTimeOffset now, TextWriter writer)
    {
        if (clusters.Count == 0)
        {
            writer.WriteLine("No clusters registered.");
            return;
        }

        var table = new TableWriter("CLUSTER", "PROVIDER", "REGION", "ACCOUNT", "NODES", "CLAIMS", "PODS", "PENDING", "$/H", "CAP $/H", "AGENT", "LAST PROVISIONED");
        foreach (var c in clusters.OrderBy(c => c.ClusterId, StringComparer.Ordinal))
        {
            table.AddRow(
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
                c.LastProvisionedAt is { } at ? FleetFormat.Age(at, now) + " ago" : "never");
        }

        table.Write(writer);
        writer.WriteLine();
        writer.WriteLine(
            $"{Plural(clusters.Count, "cluster")}: {Plural(clusters.Sum(c => c.Nodes), "node")}, " +
            $"{Plural(clusters.Sum(c => c.PendingPods), "pending pod")}, ${FleetFormat.Price(clusters.Sum(c => c.PricePerHour))}/hour");
    }

    public static void Capacity(IReadOnlyList<CapacityRow> rows, IReadOnlyList<string> keys, TextWriter writer)
    {
        if (rows.Count == 0)
        {
            writer.WriteLine("No capacity: the fleet has no nodes.");
            return;
        }

        var headers = keys.Select(CapacityGroupKeys.Header).Concat(["NODES", "CPU(cores)", "MEMORY(GiB)", "$/H"]).ToArray();
        var table = new TableWriter(headers);
        var lines = rows
            .Select(r => (Row: r, Group: keys.Select(k => FleetFormat.Text(r.Group?.GetValueOrDefault(k))).ToArray()))
            .OrderBy(r => string.Join('\0', r.Group), StringComparer.Ordinal);
        foreach (var (row, group) in lines)
        {
            table.AddRow([
                .. group,
                FleetFormat.Count(row.Nodes),
                FleetFormat.Cores(row.MilliCpu),
                FleetFormat.GiB(row.Memory),
                FleetFormat.Price(row.PricePerHour),
            ]);
        }

        table.Write(writer);
        writer.WriteLine();
        writer.WriteLine(
            $"total: {Plural(rows.Sum(r => r.Nodes), "node")}, {FleetFormat.Cores(rows.Sum(r => r.MilliCpu))} cores, " +
            $"{FleetFormat.GiB(rows.Sum(r => r.Memory))} GiB, ${FleetFormat.Price(rows.Sum(r => r.PricePerHour))}/hour");
    }

    public static void NodeClaims(IReadOnlyList<NodeClaimInfo> claims, DateTimeOffset now, TextWriter writer)
    {
        if (claims.Count == 0)
        {
            writer.WriteLine("No node claims.");
            return;
        }

        var table = new TableWriter("CLUSTER", "NAME", "NODEPOOL", "PHASE", "TYPE", "ZONE", "CAPACITY", "$/H", "CPU(cores)", "MEMORY(GiB)", "NODE", "AGE", "REASON");
        var sorted = claims
            .OrderBy(c => c.ClusterId, StringComparer.Ordinal)
            .ThenBy(c => c.CreatedAt)
            .ThenBy(c => c.Name, StringComparer.Ordinal);
        foreach (var c in sorted)
        {
            table.AddRow(
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
                FleetFormat.Text(c.Reason));
        }

        // Terminated claims stay listed for a while but no longer cost anything.
        var live = claims.Where(c => c.Phase != NodeClaimPhase.Terminated).ToList();
        table.Write(writer);
        writer.WriteLine();
        writer.WriteLine($"{Plural(claims.Count, "node claim")}: {live.Count} live at ${FleetFormat.Price(live.Sum(c => c.PricePerHour))}/hour");
    }

    public static void Pending(IReadOnlyList<FleetPendingPod> pods, string? cluster, DateTimeOffset now, TextWriter writer)
    {
        if (pods.Count == 0)
        {
            writer.WriteLine(cluster is null ? "No pending pods." : $"No pending pods in cluster '{cluster}'.");
            return;
        }

        var table = new TableWriter("CLUSTER", "NAMESPACE", "NAME", "PENDING", "NODECLAIM", "REASON");
        var sorted = pods
            .OrderBy(p => p.ClusterId, StringComparer.Ordinal)
            .ThenBy(p => p.PendingSince)
            .ThenBy(p => p.Namespace, StringComparer.Ordinal)
            .ThenBy(p => p.Name, StringComparer.Ordinal);
        foreach (var p in sorted)
        {
            table.AddRow(
                FleetFormat.Text(p.ClusterId),
                FleetFormat.Text(p.Namespace),
                FleetFormat.Text(p.Name),
                FleetFormat.Age(p.PendingSince, now),
                FleetFormat.Text(p.NodeClaim),
                FleetFormat.Text(p.Reason));
        }

        table.Write(writer);
        writer.WriteLine();
        var clusters = pods.Select(p => p.ClusterId).Distinct(StringComparer.Ordinal).Count();
        writer.WriteLine($"{Plural(pods.Count, "pending pod")} in {Plural(clusters, "cluster")}");
    }

    public static void Cost(FleetCost cost, TextWriter writer)
    {
        var clusters = cost.Clusters ?? [];
        if (clusters.Count > 0)
        {
            var table = new TableWriter("CLUSTER", "REGION", "NODES", "PENDING", "$/H", "CAP $/H", "OF CAP");
            foreach (var c in clusters.OrderByDescending(c => c.PricePerHour).ThenBy(c => c.ClusterId, StringComparer.Ordinal))
            {
                table.AddRow(
                    FleetFormat.Text(c.ClusterId),
                    FleetFormat.Text(c.Region),
                    FleetFormat.Count(c.Nodes),
                    FleetFormat.Count(c.PendingPods),
                    FleetFormat.Price(c.PricePerHour),
                    FleetFormat.Price(c.SpendCapPerHour),
                    OfCap(c.PricePerHour, c.SpendCapPerHour));
            }

            table.Write(writer);
            writer.WriteLine();
        }

        var cap = cost.SpendCapPerHour is { } fleetCap
            ? $"cap ${FleetFormat.Price(fleetCap)}/hour ({OfCap(cost.CommittedPerHour, fleetCap)} committed)"
            : "no fleet cap";
        writer.WriteLine(
            $"fleet: ${FleetFormat.Price(cost.PricePerHour)}/hour running, ${FleetFormat.Price(cost.CommittedPerHour)}/hour committed " +
            $"(running plus launches in flight), {cap}; {Plural(clusters.Count, "cluster")}");
    }

    public static void Disruption(DisruptionExplanation explanation, string? node, TextWriter writer)
    {
        var rows = explanation.Nodes.Where(n => node is null || n.Node == node).OrderBy(n => n.Node, StringComparer.Ordinal).ToList();
        if (rows.Count == 0)
        {
            writer.WriteLine(node is null ? $"Cluster '{explanation.ClusterId}' has no nodes." : $"Cluster '{explanation.ClusterId}' has no node '{node}'.");
            return;
        }

        var table = new TableWriter("NODE", "NODECLAIM", "NODEPOOL", "TYPE", "CAPACITY", "$/H", "DECISION", "METHOD", "REASON");
        foreach (var n in rows)
        {
            table.AddRow(
                FleetFormat.Text(n.Node),
                FleetFormat.Text(n.NodeClaim),
                FleetFormat.Text(n.NodePool),
                FleetFormat.Text(n.InstanceType),
                FleetFormat.Text(n.CapacityType),
                FleetFormat.Price(n.PricePerHour),
                n.Decision,
                FleetFormat.Text(n.Method),
                FleetFormat.Text(n.Reason));
        }

        table.Write(writer);
        writer.WriteLine();
        var acting = rows.Count(n => n.Decision is "delete" or "replace");
        writer.WriteLine(
            $"{Plural(rows.Count, "node")}: {FleetFormat.Count(acting)} to disrupt, {FleetFormat.Count(rows.Count(n => n.Decision == "blocked"))} blocked; " +
            $"${FleetFormat.Price(explanation.PricePerHourBefore)}/hour now, ${FleetFormat.Price(explanation.PricePerHourAfter)}/hour after this pass");
    }

    private static string OfCap(double pricePerHour, double? capPerHour) =>
        capPerHour is { } cap && cap > 0 ? FleetFormat.Percent(100 * pricePerHour / cap) : "-";

    private static string Plural(long count, string noun) =>
        $"{FleetFormat.Count(count)} {noun}{(count == 1 ? "" : "s")}";
}
