using System.Globalization;
using k8s.Models;

namespace Karpenter.Orleans.Scheduling.Tests.TestSupport;

/// <summary>
/// Independent reading of Kubernetes pod semantics used by the test oracle: requests, node selection,
/// tolerations, label selectors and host ports.
/// </summary>
public static class PodFacts
{
    public static string Key(V1Pod pod) => $"{pod.Metadata.NamespaceProperty ?? "default"}/{pod.Metadata.Name}";

    public static string Namespace(V1Pod pod) => pod.Metadata.NamespaceProperty ?? "default";

    public static bool IsBound(V1Pod pod) => !string.IsNullOrEmpty(pod.Spec.NodeName);

    /// <summary>What the pod is charged on a node, by the oracle's own arithmetic (<see cref="ResourceAmounts.PodRequests"/>).</summary>
    public static ResourceAmounts Requests(V1PodSpec spec) => ResourceAmounts.PodRequests(spec);

    public static ResourceAmounts Requests(V1Pod pod) => Requests(pod.Spec);

    /// <summary>nodeSelector and required node affinity (terms ORed) hold on a node with these labels.</summary>
    public static bool MatchesNode(V1PodSpec spec, IReadOnlyDictionary<string, string> labels)
    {
        foreach (var (k, v) in spec.NodeSelector ?? new Dictionary<string, string>())
        {
            if (!labels.TryGetValue(k, out var actual) || actual != v)
            {
                return false;
            }
        }

        var terms = spec.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution?.NodeSelectorTerms;
        return terms is null || terms.Count == 0 || terms.Any(t => TermMatches(t, labels));
    }

    public static bool MatchesNode(V1Pod pod, IReadOnlyDictionary<string, string> labels) => MatchesNode(pod.Spec, labels);

    public static bool TermMatches(V1NodeSelectorTerm term, IReadOnlyDictionary<string, string> labels) =>
        (term.MatchExpressions ?? []).All(e => ExpressionMatches(e, labels));

    public static bool ExpressionMatches(V1NodeSelectorRequirement e, IReadOnlyDictionary<string, string> labels)
    {
        var has = labels.TryGetValue(e.Key, out var value);
        var values = e.Values ?? [];
        return e.OperatorProperty switch
        {
            "In" => has && values.Contains(value!),
            "NotIn" => !has || !values.Contains(value!),
            "Exists" => has,
            "DoesNotExist" => !has,
            "Gt" => has && Int(value!) is { } a && a > Int(values[0]),
            "Lt" => has && Int(value!) is { } b && b < Int(values[0]),
            _ => throw new ArgumentOutOfRangeException(nameof(e), e.OperatorProperty, "unknown operator"),
        };
    }

    /// <summary>Every NoSchedule/NoExecute taint is tolerated (PreferNoSchedule needs no toleration).</summary>
    public static bool ToleratesAll(IEnumerable<V1Toleration>? tolerations, IEnumerable<V1Taint>? taints) =>
        (taints ?? []).Where(t => t.Effect is "NoSchedule" or "NoExecute").All(t => Tolerates(tolerations, t));

    public static bool Tolerates(IEnumerable<V1Toleration>? tolerations, V1Taint taint) =>
        (tolerations ?? []).Any(t =>
            (string.IsNullOrEmpty(t.Effect) || t.Effect == taint.Effect) &&
            (t.OperatorProperty == "Exists"
                ? string.IsNullOrEmpty(t.Key) || t.Key == taint.Key
                : t.Key == taint.Key && (t.Value ?? string.Empty) == (taint.Value ?? string.Empty)));

    /// <summary>matchLabels selector (the only form the tests generate) in the owner's namespace.</summary>
    public static bool Selects(V1LabelSelector? selector, string ownerNamespace, V1Pod candidate)
    {
        if (selector is null || Namespace(candidate) != ownerNamespace)
        {
            return false;
        }

        var labels = candidate.Metadata.Labels ?? new Dictionary<string, string>();
        var matchLabels = selector.MatchLabels ?? new Dictionary<string, string>();
        return matchLabels.All(m => labels.TryGetValue(m.Key, out var v) && v == m.Value);
    }

    public static IEnumerable<(int Port, string Protocol)> HostPorts(V1Pod pod) =>
        (pod.Spec.Containers ?? [])
            .SelectMany(c => c.Ports ?? [])
            .Where(p => p.HostPort is > 0)
            .Select(p => (p.HostPort!.Value, p.Protocol ?? "TCP"));

    public static IEnumerable<V1PodAffinityTerm> RequiredAntiAffinity(V1Pod pod) =>
        pod.Spec.Affinity?.PodAntiAffinity?.RequiredDuringSchedulingIgnoredDuringExecution ?? [];

    public static IEnumerable<V1PodAffinityTerm> RequiredAffinity(V1Pod pod) =>
        pod.Spec.Affinity?.PodAffinity?.RequiredDuringSchedulingIgnoredDuringExecution ?? [];

    private static long? Int(string s) => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
}
