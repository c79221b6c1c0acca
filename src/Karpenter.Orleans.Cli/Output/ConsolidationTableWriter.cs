using Karpenter.Orleans.Scheduling.Disruption;
using Karpenter.Orleans.Scheduling.Provisioning;

namespace Karpenter.Orleans.Cli.Output;

/// <summary>The human form of a consolidation plan: the actions, the nodes left alone and why, the bill before and after.</summary>
internal static class ConsolidationTableWriter
{
    // Multi-node actions can take dozens of nodes; the table shows a few and counts the rest (JSON lists all).
    private const int NodesShown = 3;

    public static void Write(DisruptionPlan plan, double planSeconds, TextWriter writer)
    {
        if (plan.Actions.Count == 0)
        {
            writer.WriteLine("No disruption actions.");
        }
        else
        {
            var actions = new TableWriter("METHOD", "KIND", "NODES", "REPLACEMENT", "SAVING $/H", "MOVES");
            foreach (var action in plan.Actions)
            {
                actions.AddRow(
                    DisruptionNames.Method(action.Method),
                    DisruptionNames.Kind(action.Kind),
                    ShortList(action.Nodes),
                    Replacements(action.Replacements),
                    Figures.Price(action.SavingPerHour),
                    Figures.Integer(action.Moves.Count));
            }

            actions.Write(writer);
        }

        if (plan.Blocked.Count > 0)
        {
            writer.WriteLine();
            var blocked = new TableWriter("BLOCKED NODE", "REASON");
            foreach (var node in plan.Blocked)
            {
                blocked.AddRow(node.Node, node.Reason);
            }

            blocked.Write(writer);
        }

        writer.WriteLine();
        var nodes = plan.Actions.Sum(a => a.Nodes.Count);
        var launches = plan.Actions.Sum(a => a.Replacements.Count);
        writer.WriteLine(
            $"{plan.Actions.Count} actions: {nodes} nodes removed, {launches} replacements; " +
            $"${Figures.Price(plan.Summary.PricePerHourBefore)}/hour before, ${Figures.Price(plan.Summary.PricePerHourAfter)}/hour after, " +
            $"saving ${Figures.Price(plan.Summary.SavingPerHour)}/hour; planned in {Figures.Seconds(planSeconds)}");
    }

    private static string Replacements(IReadOnlyList<PlannedNodeClaim> claims) => claims.Count switch
    {
        0 => "-",
        1 => Describe(claims[0]),
        _ => $"{Describe(claims[0])} (+{claims.Count - 1} more)",
    };

    private static string Describe(PlannedNodeClaim claim) =>
        $"{claim.InstanceType} {claim.Zone} {claim.CapacityType} ${Figures.Price(claim.PricePerHour)}";

    private static string ShortList(IReadOnlyList<string> nodes) =>
        nodes.Count <= NodesShown
            ? string.Join(", ", nodes)
            : $"{string.Join(", ", nodes.Take(NodesShown))} (+{nodes.Count - NodesShown} more)";
}
