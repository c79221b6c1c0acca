using k8s.Models;
using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.Scheduling.Disruption;

/// <summary>
/// PLACEHOLDER until the real planner lands: emptiness only. Managed, initialized nodes without a
/// non-DaemonSet pod are deleted; every other node is listed as blocked.
/// </summary>
public static class DisruptionPlanner
{
    /// <summary>One pass (here: every empty node, no budgets).</summary>
    public static DisruptionPlan Plan(DisruptionInput input, DisruptionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        var podsByNode = input.Pods
            .Where(p => !string.IsNullOrEmpty(p.Spec?.NodeName) && p.Status?.Phase is not ("Succeeded" or "Failed"))
            .ToLookup(p => p.Spec.NodeName, StringComparer.Ordinal);
        var actions = new List<DisruptionAction>();
        var blocked = new List<BlockedNode>();
        foreach (var node in input.Nodes.OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            var pods = podsByNode[node.Name].Where(p => !IsDaemonSetPod(p)).ToList();
            if (node.NodeClaim is null)
            {
                blocked.Add(new BlockedNode(node.Name, BlockReason.NotManaged, "not managed by a NodeClaim"));
            }
            else if (node.InitializedAt is null)
            {
                blocked.Add(new BlockedNode(node.Name, BlockReason.NotInitialized, "not initialized"));
            }
            else if (DoNotDisrupt(node.Node.Metadata))
            {
                blocked.Add(new BlockedNode(node.Name, BlockReason.NodeDoNotDisrupt, $"node has {WellKnownLabels.DoNotDisruptAnnotation}"));
            }
            else if (pods.FirstOrDefault(p => DoNotDisrupt(p.Metadata)) is { } pinned)
            {
                blocked.Add(new BlockedNode(node.Name, BlockReason.PodDoNotDisrupt,
                    $"pod {pinned.Metadata.NamespaceProperty ?? "default"}/{pinned.Metadata.Name} has {WellKnownLabels.DoNotDisruptAnnotation}"));
            }
            else if (pods.Count > 0)
            {
                blocked.Add(new BlockedNode(node.Name, BlockReason.NoCheaperOption, "placeholder planner: only empty nodes are removed"));
            }
            else
            {
                actions.Add(new DisruptionAction
                {
                    Method = DisruptionMethod.Emptiness,
                    Reason = DisruptionReason.Empty,
                    Kind = DisruptionActionKind.Delete,
                    Nodes = [node.Name],
                    SavingPerHour = node.PricePerHour,
                });
            }
        }

        var before = input.Nodes.Sum(n => n.PricePerHour);
        var saving = actions.Sum(a => a.SavingPerHour);
        return new DisruptionPlan(actions, blocked, new DisruptionSummary(before, before - saving, saving));
    }

    /// <summary>Passes until nothing changes; emptiness acts fully in one pass.</summary>
    public static DisruptionPlan PlanToConvergence(DisruptionInput input, DisruptionOptions? options = null, int maxPasses = 50) =>
        Plan(input, options);

    private static bool IsDaemonSetPod(V1Pod pod) =>
        pod.Metadata?.OwnerReferences?.Any(o => o.Kind == "DaemonSet") == true;

    private static bool DoNotDisrupt(V1ObjectMeta? metadata) =>
        metadata?.Annotations?.TryGetValue(WellKnownLabels.DoNotDisruptAnnotation, out var value) == true && value == "true";
}
