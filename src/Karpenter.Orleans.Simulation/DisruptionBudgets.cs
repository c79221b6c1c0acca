using System.Globalization;
using k8s.Models;

namespace Karpenter.Orleans.Simulation;

/// <summary>
/// The Eviction API's PodDisruptionBudget check as the API server makes it: an eviction is allowed when every
/// budget selecting the pod has a disruption left (healthy pods minus the pods the budget wants healthy),
/// refused when one has none, and refused when more than one budget selects the pod.
/// </summary>
internal static class DisruptionBudgets
{
    /// <summary>
    /// Null when the eviction may go ahead, else the API server's reason for the 429. <paramref name="scale"/>
    /// gives, for a budget, the replicas its pods' controllers want (the disruption controller's expected count).
    /// </summary>
    public static string? Refusal(V1Pod pod, IEnumerable<V1PodDisruptionBudget> budgets, IReadOnlyCollection<PodEntry> pods, Func<V1PodDisruptionBudget, int> scale)
    {
        var ns = pod.Metadata.NamespaceProperty ?? "default";
        var selecting = budgets.Where(b => (b.Metadata.NamespaceProperty ?? "default") == ns && Selects(b.Spec?.Selector, pod)).ToList();
        if (selecting.Count > 1)
        {
            return $"pod {ns}/{pod.Metadata.Name} is selected by more than one PodDisruptionBudget ({string.Join(", ", selecting.Select(b => b.Metadata.Name))})";
        }

        if (selecting.Count == 0)
        {
            return null;
        }

        var budget = selecting[0];
        var allowed = AllowedDisruptions(budget, pods, scale(budget));
        return allowed > 0 ? null : $"Cannot evict pod as it would violate the pod's disruption budget {ns}/{budget.Metadata.Name} (0 disruptions allowed)";
    }

    /// <summary>
    /// status.disruptionsAllowed: Running pods the budget selects, minus how many it wants Running out of the
    /// expected count (the controllers' replicas, or the selected pods when there are more).
    /// </summary>
    public static int AllowedDisruptions(V1PodDisruptionBudget budget, IReadOnlyCollection<PodEntry> pods, int scale)
    {
        var ns = budget.Metadata.NamespaceProperty ?? "default";
        var selected = pods.Where(p => (p.Pod.Metadata.NamespaceProperty ?? "default") == ns && Selects(budget.Spec?.Selector, p.Pod)).ToList();
        var expected = Math.Max(scale, selected.Count);
        var healthy = selected.Count(p => p.NodeName is not null && p.Pod.Status?.Phase == "Running");
        int desiredHealthy;
        if (budget.Spec?.MinAvailable?.Value is { } min)
        {
            desiredHealthy = Scaled(min, expected);
        }
        else if (budget.Spec?.MaxUnavailable?.Value is { } max)
        {
            desiredHealthy = Math.Max(0, expected - Scaled(max, expected));
        }
        else
        {
            desiredHealthy = 0;
        }

        return Math.Max(0, healthy - desiredHealthy);
    }

    /// <summary>An int-or-percent of <paramref name="total"/>, percentages rounded up as the disruption controller does.</summary>
    private static int Scaled(string value, int total) =>
        value.EndsWith('%')
            ? (int)Math.Ceiling(total * double.Parse(value[..^1], CultureInfo.InvariantCulture) / 100.0)
            : int.Parse(value, CultureInfo.InvariantCulture);

    /// <summary>policy/v1: a null selector selects nothing, an empty one every pod of the namespace.</summary>
    private static bool Selects(V1LabelSelector? selector, V1Pod pod) => Selects(selector, pod.Metadata.Labels);

    public static bool Selects(V1LabelSelector? selector, IDictionary<string, string>? podLabels)
    {
        if (selector is null)
        {
            return false;
        }

        var labels = podLabels ?? new Dictionary<string, string>();
        if (selector.MatchLabels?.Any(l => !labels.TryGetValue(l.Key, out var v) || v != l.Value) == true)
        {
            return false;
        }

        return selector.MatchExpressions?.All(e =>
        {
            var has = labels.TryGetValue(e.Key, out var v);
            return e.OperatorProperty switch
            {
                "In" => has && e.Values?.Contains(v!) == true,
                "NotIn" => !has || e.Values?.Contains(v!) != true,
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
        }) ?? true;
    }
}
