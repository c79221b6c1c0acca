using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Cli.Output;

namespace Karpenter.Orleans.Cli.Fleet;

/// <summary>
/// The human tables of the fleet views that are not lists of named objects (capacity, cost, explain; the lists are
/// <see cref="FleetListings"/>). Rows are sorted here, and each table ends with a one-line summary unless
/// <c>--no-headers</c> asks for rows only. An empty answer prints one sentence instead of bare headers.
/// </summary>
internal static class FleetTables
{
    public static void Capacity(IReadOnlyList<CapacityRow> rows, IReadOnlyList<string> keys, bool noHeaders, TextWriter writer)
    {
        if (rows.Count == 0)
        {
            if (!noHeaders)
            {
                writer.WriteLine("No capacity: the fleet has no nodes.");
            }

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

        table.Write(writer, headers: !noHeaders);
        if (noHeaders)
        {
            return;
        }

        writer.WriteLine();
        writer.WriteLine(
            $"total: {FleetFormat.Plural(rows.Sum(r => r.Nodes), "node")}, {FleetFormat.Cores(rows.Sum(r => r.MilliCpu))} cores, " +
            $"{FleetFormat.GiB(rows.Sum(r => r.Memory))} GiB, ${FleetFormat.Price(rows.Sum(r => r.PricePerHour))}/hour");
    }

    public static void Cost(FleetCost cost, bool noHeaders, TextWriter writer)
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
                    FleetListings.OfCap(c.PricePerHour, c.SpendCapPerHour));
            }

            table.Write(writer, headers: !noHeaders);
            if (noHeaders)
            {
                return;
            }

            writer.WriteLine();
        }
        else if (noHeaders)
        {
            return;
        }

        var cap = cost.SpendCapPerHour is { } fleetCap
            ? $"cap ${FleetFormat.Price(fleetCap)}/hour ({FleetListings.OfCap(cost.CommittedPerHour, fleetCap)} committed)"
            : "no fleet cap";
        writer.WriteLine(
            $"fleet: ${FleetFormat.Price(cost.PricePerHour)}/hour running, ${FleetFormat.Price(cost.CommittedPerHour)}/hour committed " +
            $"(running plus launches in flight), {cap}; {FleetFormat.Plural(clusters.Count, "cluster")}");
    }

    public static void Disruption(DisruptionExplanation explanation, string? node, bool noHeaders, TextWriter writer)
    {
        var rows = explanation.Nodes.Where(n => node is null || n.Node == node).OrderBy(n => n.Node, StringComparer.Ordinal).ToList();
        if (rows.Count == 0)
        {
            if (!noHeaders)
            {
                writer.WriteLine(node is null ? $"Cluster '{explanation.ClusterId}' has no nodes." : $"Cluster '{explanation.ClusterId}' has no node '{node}'.");
            }

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

        table.Write(writer, headers: !noHeaders);
        if (noHeaders)
        {
            return;
        }

        writer.WriteLine();
        var acting = rows.Count(n => n.Decision is "delete" or "replace");
        writer.WriteLine(
            $"{FleetFormat.Plural(rows.Count, "node")}: {FleetFormat.Count(acting)} to disrupt, {FleetFormat.Count(rows.Count(n => n.Decision == "blocked"))} blocked; " +
            $"${FleetFormat.Price(explanation.PricePerHourBefore)}/hour now, ${FleetFormat.Price(explanation.PricePerHourAfter)}/hour after this pass");
    }
}
