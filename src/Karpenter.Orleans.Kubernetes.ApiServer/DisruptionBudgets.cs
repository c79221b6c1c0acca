using System.Globalization;
using System.Text.Json.Nodes;

namespace Karpenter.Orleans.Kubernetes.ApiServer;

/// <summary>
/// What the disruption controller and the eviction subresource compute for a policy/v1
/// PodDisruptionBudget: expected and healthy pods, desired healthy, disruptions allowed.
/// Expected pods are the pods the budget selects (there are no workload controllers to ask for
/// a scale); a pod is healthy when it is not being deleted and its Ready condition is True.
/// </summary>
internal static class DisruptionBudgets
{
    public static JsonObject Compute(JsonObject pdb, IReadOnlyList<JsonObject> pods, DateTimeOffset now, JsonObject? previous)
    {
        var selector = LabelSelector.FromObject(pdb["spec"]?["selector"]);
        var selected = selector is null ? [] : pods.Where(selector.Matches).ToList();
        var expected = selected.Count;
        var healthy = selected.Count(IsHealthy);
        var desired = Desired(pdb["spec"] as JsonObject, expected);
        var allowed = Math.Max(0, healthy - desired);
        var generation = pdb["metadata"]?["generation"].Int() ?? 1;
        var conditionStatus = allowed > 0 ? "True" : "False";
        var previousCondition = (previous?["conditions"] as JsonArray)?.OfType<JsonObject>()
            .FirstOrDefault(c => c["type"].Str() == "DisruptionAllowed");
        var transition = previousCondition?["status"].Str() == conditionStatus
            ? previousCondition["lastTransitionTime"].Str()
            : null;
        return new JsonObject
        {
            ["observedGeneration"] = generation,
            ["disruptionsAllowed"] = allowed,
            ["currentHealthy"] = healthy,
            ["desiredHealthy"] = desired,
            ["expectedPods"] = expected,
            ["conditions"] = new JsonArray(new JsonObject
            {
                ["type"] = "DisruptionAllowed",
                ["status"] = conditionStatus,
                ["observedGeneration"] = generation,
                ["lastTransitionTime"] = transition ?? now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                ["reason"] = allowed > 0 ? "SufficientPods" : "InsufficientPods",
                ["message"] = "",
            }),
        };
    }

    /// <summary>
    /// Whether evicting <paramref name="pod"/> keeps the budget: a healthy pod needs a disruption
    /// allowed; a running pod that is not ready may go when the budget is met
    /// (unhealthyPodEvictionPolicy IfHealthyBudget) or always (AlwaysAllow).
    /// </summary>
    public static bool Allows(JsonObject pdb, JsonObject status, JsonObject pod)
    {
        if (IsHealthy(pod))
        {
            return status["disruptionsAllowed"].Int() > 0;
        }

        return pdb["spec"]?["unhealthyPodEvictionPolicy"].Str() == "AlwaysAllow"
               || status["currentHealthy"].Int() >= status["desiredHealthy"].Int();
    }

    /// <summary>Pods that are pending, finished or already being deleted are evicted without asking a budget.</summary>
    public static bool CanIgnoreBudget(JsonObject pod) =>
        pod["metadata"]?["deletionTimestamp"] is not null
        || pod["status"]?["phase"].Str() is "Pending" or "Succeeded" or "Failed" or null;

    private static bool IsHealthy(JsonObject pod) =>
        pod["metadata"]?["deletionTimestamp"] is null
        && pod["status"]?["phase"].Str() == "Running"
        && (pod["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>()
            .Any(c => c["type"].Str() == "Ready" && c["status"].Str() == "True") == true;

    private static int Desired(JsonObject? spec, int expected)
    {
        if (spec?["minAvailable"] is { } min)
        {
            return Scaled(min, expected);
        }

        if (spec?["maxUnavailable"] is { } max)
        {
            return Math.Max(0, expected - Scaled(max, expected));
        }

        // Neither given: no pod may be disrupted voluntarily below what exists.
        return expected;
    }

    // An IntOrString: a count, or a percentage of the expected pods rounded up, as Kubernetes scales it.
    private static int Scaled(JsonNode value, int expected)
    {
        if (value.Int() is { } count)
        {
            return (int)count;
        }

        var text = value.Str() ?? "";
        if (text.EndsWith('%') && int.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var percent))
        {
            return (int)Math.Ceiling(expected * percent / 100.0);
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
    }
}
