using Karpenter.Orleans.Scheduling.Provisioning;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Cli.Output;

/// <summary>The human form of a simulation: new claims, pods placed on existing nodes, unschedulable pods, a summary line.</summary>
internal static class SimulationTableWriter
{
    // Existing nodes can take thousands of pods; the table shows a few and counts the rest (JSON lists all).
    private const int PodsShownPerNode = 3;

    public static void Write(SchedulingResult result, double solveSeconds, bool includeLowerBound, TextWriter writer, FirstFitPlan? karpenter = null)
    {
        if (result.NodeClaims.Count == 0)
        {
            writer.WriteLine("No new node claims.");
        }
        else
        {
            var claims = new TableWriter("NAME", "NODEPOOL", "TYPE", "ZONE", "CAPACITY", "$/H", "PODS", "CPU", "MEMORY");
            foreach (var claim in result.NodeClaims)
            {
                var requests = claim.Requests.ToQuantityStrings();
                claims.AddRow(
                    claim.Name,
                    claim.NodePool,
                    claim.InstanceType,
                    claim.Zone,
                    claim.CapacityType,
                    Figures.Price(claim.PricePerHour),
                    Figures.Integer(claim.Pods.Count),
                    requests[ResourceNames.Cpu],
                    requests[ResourceNames.Memory]);
            }

            claims.Write(writer);
        }

        if (result.ExistingNodes.Count > 0)
        {
            writer.WriteLine();
            var existing = new TableWriter("EXISTING NODE", "NEW PODS", "PLACED");
            foreach (var placement in result.ExistingNodes)
            {
                existing.AddRow(placement.Name, Figures.Integer(placement.Pods.Count), ShortList(placement.Pods));
            }

            existing.Write(writer);
        }

        if (result.Unschedulable.Count > 0)
        {
            writer.WriteLine();
            var unschedulable = new TableWriter("UNSCHEDULABLE POD", "REASON");
            foreach (var pod in result.Unschedulable)
            {
                unschedulable.AddRow(pod.Pod, pod.Reason);
            }

            unschedulable.Write(writer);
        }

        writer.WriteLine();
        writer.WriteLine(SummaryLine(result.Summary, solveSeconds, includeLowerBound));
        if (karpenter is not null)
        {
            writer.WriteLine(KarpenterLine(result.Summary, karpenter));
        }
    }

    /// <summary>What Karpenter's first fit would launch for the same pods, and what this plan saves on it.</summary>
    internal static string KarpenterLine(SchedulingSummary summary, FirstFitPlan karpenter)
    {
        var saving = KarpenterComparison.Saving(summary, karpenter);
        var line = $"Karpenter first fit: {Figures.Integer(karpenter.NodeClaims)} node claims at ${Figures.Price(karpenter.PricePerHour)}/hour";
        if (karpenter.Launches.Count > 0)
        {
            var top = karpenter.Launches[0];
            line += $" (most on {top.InstanceType} {top.CapacityType}: {Figures.Integer(top.Nodes)} in {top.Zone})";
        }

        if (karpenter.Scheduled != summary.Scheduled)
        {
            line += $", {Figures.Integer(karpenter.Scheduled)} pods scheduled";
        }

        return line + $"; this plan saves ${Figures.Price(saving.PerHour)}/hour ({Figures.Percent(saving.Percent)})";
    }

    private static string SummaryLine(SchedulingSummary summary, double solveSeconds, bool includeLowerBound)
    {
        var line = $"{summary.Pods} pods: {summary.Scheduled} scheduled, {summary.Unschedulable} unschedulable; " +
            $"{summary.NodeClaims} new node claims at ${Figures.Price(summary.PricePerHour)}/hour; solved in {Figures.Seconds(solveSeconds)}";
        if (includeLowerBound)
        {
            line += $"; lower bound ${Figures.Price(summary.LowerBoundPerHour)}/hour, gap {Figures.Percent(summary.GapPercent)}";
        }

        return line;
    }

    private static string ShortList(IReadOnlyList<string> pods) =>
        pods.Count <= PodsShownPerNode
            ? string.Join(", ", pods)
            : $"{string.Join(", ", pods.Take(PodsShownPerNode))} (+{pods.Count - PodsShownPerNode} more)";
}
