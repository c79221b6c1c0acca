using System.Globalization;
using k8s.Models;
using Karpenter.Orleans.Scheduling.Provisioning.Internal;

namespace Karpenter.Orleans.Scheduling.Disruption;

/// <summary>
/// How many of its pods a PodDisruptionBudget lets go now, computed as Kubernetes' disruption controller
/// does: the pods it covers are those of its namespace its selector matches (a null selector matches none,
/// an empty one all); healthy pods are the covered ones that are bound and Running; <c>minAvailable</c> or
/// <c>maxUnavailable</c> (a count or a percentage of the covered pods, rounded up) gives how many must stay
/// healthy; the rest of the healthy pods may be disrupted, never fewer than zero.
/// </summary>
public static class PodDisruptionBudgetAllowance
{
    /// <summary>Disruptions <paramref name="pdb"/> allows among <paramref name="pods"/> (all pods of the cluster may be passed).</summary>
    public static int Allowed(V1PodDisruptionBudget pdb, IEnumerable<V1Pod> pods)
    {
        ArgumentNullException.ThrowIfNull(pdb);
        ArgumentNullException.ThrowIfNull(pods);
        var matcher = Matcher(pdb);
        var ns = pdb.Metadata?.NamespaceProperty ?? "default";
        var expected = 0;
        var healthy = 0;
        foreach (var pod in pods)
        {
            if (!Covers(pdb, matcher, ns, pod))
            {
                continue;
            }

            expected++;
            if (IsHealthy(pod))
            {
                healthy++;
            }
        }

        return Allowed(pdb, expected, healthy);
    }

    /// <summary>Disruptions allowed when <paramref name="expected"/> pods are covered and <paramref name="healthy"/> of them run.</summary>
    public static int Allowed(V1PodDisruptionBudget pdb, int expected, int healthy)
    {
        ArgumentNullException.ThrowIfNull(pdb);
        var spec = pdb.Spec;
        int desiredHealthy;
        if (spec?.MaxUnavailable?.Value is { } maxUnavailable)
        {
            desiredHealthy = expected - Scaled(maxUnavailable, expected, pdb, "maxUnavailable");
        }
        else if (spec?.MinAvailable?.Value is { } minAvailable)
        {
            desiredHealthy = Scaled(minAvailable, expected, pdb, "minAvailable");
        }
        else
        {
            desiredHealthy = 0;
        }

        return Math.Max(0, healthy - Math.Max(0, desiredHealthy));
    }

    /// <summary>Whether the budget covers the pod: same namespace and the selector matches its labels.</summary>
    public static bool Covers(V1PodDisruptionBudget pdb, V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pdb);
        ArgumentNullException.ThrowIfNull(pod);
        return Covers(pdb, Matcher(pdb), pdb.Metadata?.NamespaceProperty ?? "default", pod);
    }

    internal static LabelSelectorMatcher Matcher(V1PodDisruptionBudget pdb) => LabelSelectorMatcher.Compile(pdb.Spec?.Selector);

    internal static bool Covers(V1PodDisruptionBudget pdb, LabelSelectorMatcher matcher, string ns, V1Pod pod) =>
        (pod.Metadata?.NamespaceProperty ?? "default") == ns && matcher.Matches(pod.Metadata?.Labels);

    internal static bool IsHealthy(V1Pod pod) =>
        !string.IsNullOrEmpty(pod.Spec?.NodeName) && pod.Status?.Phase == "Running" && pod.Metadata?.DeletionTimestamp is null;

    private static int Scaled(string value, int total, V1PodDisruptionBudget pdb, string field)
    {
        var text = value.Trim();
        if (text.EndsWith('%'))
        {
            if (double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var percent))
            {
                return (int)Math.Ceiling(percent * total / 100.0);
            }
        }
        else if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var count))
        {
            return count;
        }

        throw new ArgumentException(
            $"PodDisruptionBudget {pdb.Metadata?.NamespaceProperty ?? "default"}/{pdb.Metadata?.Name}: spec.{field} \"{value}\" is neither an integer nor a percentage",
            nameof(pdb));
    }
}
