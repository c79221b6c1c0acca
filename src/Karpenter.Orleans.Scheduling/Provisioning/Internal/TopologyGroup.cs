namespace Karpenter.Orleans.Scheduling.Provisioning.Internal;

internal enum TopologyKind
{
    Spread,
    Affinity,
    AntiAffinity,
}

/// <summary>
/// One topology constraint shared by every pod that declares it ("100 pods with self anti-affinity are one
/// group with 100 owners"). Counts per domain for non-hostname keys live here; hostname counts live on
/// each node or claim, since every node is its own domain. Counts are per solve run (see TopologyState).
/// </summary>
internal sealed class TopologyGroup(int id, TopologyKind kind, string key, LabelSelectorMatcher selector, IReadOnlySet<string>? namespaces, int maxSkew, int? minDomains)
{
    public int Id { get; } = id;

    public TopologyKind Kind { get; } = kind;

    public string Key { get; } = key;

    public bool IsHostname { get; } = key == Model.WellKnownLabels.Hostname;

    public LabelSelectorMatcher Selector { get; } = selector;

    /// <summary>Namespaces whose pods are counted; null means all namespaces.</summary>
    public IReadOnlySet<string>? Namespaces { get; } = namespaces;

    public int MaxSkew { get; } = maxSkew;

    public int? MinDomains { get; } = minDomains;

    public bool Matches(string ns, IDictionary<string, string>? labels) =>
        (Namespaces is null || Namespaces.Contains(ns)) && Selector.Matches(labels);

    public string Describe() => Kind switch
    {
        TopologyKind.Spread => $"topology spread (key {Key}, maxSkew {MaxSkew}, selector {Selector.Canonical})",
        TopologyKind.Affinity => $"pod affinity (key {Key}, selector {Selector.Canonical})",
        _ => $"pod anti-affinity (key {Key}, selector {Selector.Canonical})",
    };
}
