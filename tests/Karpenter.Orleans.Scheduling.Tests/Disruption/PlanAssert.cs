using System.Globalization;
using Karpenter.Orleans.Scheduling.Disruption;

namespace Karpenter.Orleans.Scheduling.Tests.Disruption;

/// <summary>Assertions shared by the planner tests.</summary>
public static class PlanAssert
{
    /// <summary>Every node of the input is either in exactly one action or blocked with one non-empty reason, never both.</summary>
    public static void EveryNodeAccountedFor(DisruptionInput input, DisruptionPlan plan)
    {
        var acted = plan.Actions.SelectMany(a => a.Nodes).ToList();
        Assert.Equal(acted.Count, acted.Distinct(StringComparer.Ordinal).Count());
        foreach (var node in input.Nodes.Select(n => n.Name))
        {
            var inAction = acted.Contains(node);
            var blocks = plan.Blocked.Where(b => b.Node == node).ToList();
            Assert.True(inAction ^ blocks.Count == 1, $"node {node}: in an action {inAction}, blocked {blocks.Count} times");
            Assert.All(blocks, b => Assert.False(string.IsNullOrWhiteSpace(b.Reason)));
        }
    }

    public static BlockedNode Blocked(DisruptionPlan plan, string node) =>
        plan.Blocked.SingleOrDefault(b => b.Node == node) ?? throw new Xunit.Sdk.XunitException($"node {node} is not blocked; actions: {Describe(plan)}");

    public static DisruptionAction ActionFor(DisruptionPlan plan, string node) =>
        plan.Actions.SingleOrDefault(a => a.Nodes.Contains(node)) ?? throw new Xunit.Sdk.XunitException(
            $"no action takes {node}; blocked: {string.Join("; ", plan.Blocked.Select(b => $"{b.Node}: {b.Reason}"))}");

    public static string Describe(DisruptionPlan plan) =>
        string.Join("; ", plan.Actions.Select(a => $"{a.Method} {a.Kind} [{string.Join(",", a.Nodes)}] -> [{string.Join(",", a.Replacements.Select(r => r.InstanceType))}]"));

    /// <summary>A canonical text of the plan, for determinism checks.</summary>
    public static string Canonical(DisruptionPlan plan)
    {
        var lines = new List<string>();
        foreach (var a in plan.Actions)
        {
            lines.Add(string.Join("|", a.Method, a.Reason, a.Kind, string.Join(",", a.Nodes), a.SavingPerHour.ToString("R", CultureInfo.InvariantCulture),
                string.Join(",", a.Replacements.Select(r => $"{r.Name}:{r.InstanceType}:{r.Zone}:{r.CapacityType}:{r.PricePerHour.ToString("R", CultureInfo.InvariantCulture)}")),
                string.Join(",", a.Moves.Select(m => $"{m.Pod}>{m.To}"))));
        }

        lines.AddRange(plan.Blocked.Select(b => $"{b.Node}|{b.Kind}|{b.Reason}"));
        var s = plan.Summary;
        lines.Add(FormattableString.Invariant($"{s.PricePerHourBefore:R}|{s.PricePerHourAfter:R}|{s.SavingPerHour:R}"));
        return string.Join("\n", lines);
    }
}
