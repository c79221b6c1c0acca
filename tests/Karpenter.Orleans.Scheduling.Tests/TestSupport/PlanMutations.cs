using k8s.Models;
using Karpenter.Orleans.Scheduling.Provisioning;

namespace Karpenter.Orleans.Scheduling.Tests.TestSupport;

/// <summary>Ways to break a valid plan, to show the <see cref="PlanChecker"/> notices.</summary>
public static class PlanMutations
{
    /// <summary>
    /// Moves the first pod with a scheduling constraint (selector, affinity, spread, toleration, host port) that
    /// was placed on a claim to the unschedulable list; the claim goes when it has no pod left. Returns the
    /// result unchanged when no such pod was placed.
    /// </summary>
    public static SchedulingResult DropConstrainedPod(SchedulingInput input, SchedulingResult result)
    {
        var pods = input.Pods.ToDictionary(PodFacts.Key);
        var victim = result.NodeClaims.SelectMany(c => c.Pods).FirstOrDefault(p => pods.TryGetValue(p, out var pod) && IsConstrained(pod));
        if (victim is null)
        {
            return result;
        }

        var claims = result.NodeClaims
            .Select(c => c with { Pods = [.. c.Pods.Where(p => p != victim)] })
            .Where(c => c.Pods.Count > 0)
            .ToList();
        return WithClaims(result, claims, [.. result.Unschedulable, new UnschedulablePod(victim, "dropped by the test")]);
    }

    /// <summary>The result with these claims and unschedulable pods, and a summary that agrees with them.</summary>
    public static SchedulingResult WithClaims(SchedulingResult result, IReadOnlyList<PlannedNodeClaim> claims, IReadOnlyList<UnschedulablePod>? unschedulable = null)
    {
        var u = unschedulable ?? result.Unschedulable;
        var summary = result.Summary with
        {
            Scheduled = claims.Sum(c => c.Pods.Count) + result.ExistingNodes.Sum(n => n.Pods.Count),
            Unschedulable = u.Count,
            NodeClaims = claims.Count,
            PricePerHour = claims.Sum(c => c.PricePerHour),
        };
        return result with { NodeClaims = claims, Unschedulable = u, Summary = summary };
    }

    private static bool IsConstrained(V1Pod p) =>
        p.Spec.NodeSelector is { Count: > 0 } || p.Spec.Affinity is not null || p.Spec.TopologySpreadConstraints is { Count: > 0 } ||
        p.Spec.Tolerations is { Count: > 0 } || PodFacts.HostPorts(p).Any();
}
