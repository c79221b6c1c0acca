using System.Globalization;
using System.Text;
using k8s.Models;
using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.Scheduling.Provisioning.Internal;

/// <summary>Turns pending pods into <see cref="PodGroup"/>s and collects the topology groups they declare.</summary>
internal sealed class PodCompiler
{
    private readonly Dictionary<string, TopologyGroup> _byCanonical = new(StringComparer.Ordinal);

    public List<TopologyGroup> TopologyGroups { get; } = [];

    public static string Key(V1Pod pod) => $"{pod.Metadata?.NamespaceProperty ?? "default"}/{pod.Metadata?.Name}";

    public List<PodGroup> Compile(IReadOnlyList<(V1Pod Pod, int InputIndex)> pending)
    {
        var bySignature = new Dictionary<string, (V1Pod Rep, int First, List<string> Keys)>(StringComparer.Ordinal);
        var order = new List<string>();
        // Workloads expanded by the loader share one spec object; reuse its signature.
        var specSignatures = new Dictionary<(V1PodSpec, IDictionary<string, string>?, string), string>(ReferenceTupleComparer.Instance);
        foreach (var (pod, index) in pending)
        {
            var ns = pod.Metadata?.NamespaceProperty ?? "default";
            var spec = pod.Spec ?? new V1PodSpec();
            var labels = pod.Metadata?.Labels;
            if (!specSignatures.TryGetValue((spec, labels, ns), out var sig))
            {
                sig = Signature(ns, labels, spec);
                specSignatures[(spec, labels, ns)] = sig;
            }

            if (!bySignature.TryGetValue(sig, out var entry))
            {
                entry = (pod, index, []);
                bySignature[sig] = entry;
                order.Add(sig);
            }

            entry.Keys.Add(Key(pod));
        }

        var groups = new List<PodGroup>(order.Count);
        foreach (var sig in order)
        {
            var (rep, first, keys) = bySignature[sig];
            groups.Add(Build(groups.Count, rep, first, keys));
        }

        return groups;
    }

    /// <summary>Required anti-affinity groups declared by a bound pod (they repel matching pods from its node or zone).</summary>
    public List<TopologyGroup> RequiredAntiAffinityOf(V1Pod pod)
    {
        var ns = pod.Metadata?.NamespaceProperty ?? "default";
        return (pod.Spec?.Affinity?.PodAntiAffinity?.RequiredDuringSchedulingIgnoredDuringExecution ?? [])
            .Select(t => AffinityGroup(TopologyKind.AntiAffinity, t, ns)).ToList();
    }

    private PodGroup Build(int index, V1Pod pod, int firstIndex, List<string> keys)
    {
        var ns = pod.Metadata?.NamespaceProperty ?? "default";
        var spec = pod.Spec ?? new V1PodSpec();
        var labels = pod.Metadata?.Labels ?? new Dictionary<string, string>();
        string? invalid = null;

        var selector = FromNodeSelector(spec.NodeSelector);

        var terms = new List<RequirementSet>();
        var preferred = new List<RequirementSet>();
        try
        {
            foreach (var term in spec.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution?.NodeSelectorTerms ?? [])
            {
                terms.Add(selector.Add(FromTerm(term)));
            }

            foreach (var p in (spec.Affinity?.NodeAffinity?.PreferredDuringSchedulingIgnoredDuringExecution ?? [])
                         .Select((p, i) => (p, i)).OrderByDescending(x => x.p.Weight).ThenBy(x => x.i))
            {
                preferred.Add(FromTerm(p.p.Preference));
            }
        }
        catch (FormatException ex)
        {
            invalid = $"invalid node affinity: {ex.Message}";
        }

        if (terms.Count == 0)
        {
            terms.Add(selector);
        }

        var spreads = new List<(TopologyGroup, bool)>();
        foreach (var tsc in spec.TopologySpreadConstraints ?? [])
        {
            var extra = (tsc.MatchLabelKeys ?? [])
                .Where(labels.ContainsKey)
                .Select(k => new KeyValuePair<string, string>(k, labels[k]));
            var matcher = LabelSelectorMatcher.Compile(tsc.LabelSelector, extra);
            var tg = GetOrAdd(TopologyKind.Spread, WellKnownLabels.Normalize(tsc.TopologyKey), matcher, new HashSet<string>(StringComparer.Ordinal) { ns }, Math.Max(1, tsc.MaxSkew), tsc.MinDomains);
            spreads.Add((tg, tsc.WhenUnsatisfiable == "ScheduleAnyway"));
        }

        var affinity = spec.Affinity?.PodAffinity;
        var anti = spec.Affinity?.PodAntiAffinity;
        var hostPorts = HostPort.Of(spec).ToList();

        return new PodGroup
        {
            Index = index,
            Representative = pod,
            PodKeys = keys,
            FirstInputIndex = firstIndex,
            Namespace = ns,
            Labels = labels,
            Requests = PodRequests.Of(spec),
            RequiredTerms = terms,
            PreferredNodeTerms = preferred,
            Tolerations = spec.Tolerations ?? [],
            Spreads = spreads,
            RequiredAffinity = (affinity?.RequiredDuringSchedulingIgnoredDuringExecution ?? []).Select(t => AffinityGroup(TopologyKind.Affinity, t, ns)).ToList(),
            RequiredAntiAffinity = (anti?.RequiredDuringSchedulingIgnoredDuringExecution ?? []).Select(t => AffinityGroup(TopologyKind.AntiAffinity, t, ns)).ToList(),
            PreferredAffinity = (affinity?.PreferredDuringSchedulingIgnoredDuringExecution ?? [])
                .Select((t, i) => (t, i)).OrderByDescending(x => x.t.Weight).ThenBy(x => x.i)
                .Select(x => AffinityGroup(TopologyKind.Affinity, x.t.PodAffinityTerm, ns)).ToList(),
            PreferredAntiAffinity = (anti?.PreferredDuringSchedulingIgnoredDuringExecution ?? [])
                .Select((t, i) => (t, i)).OrderByDescending(x => x.t.Weight).ThenBy(x => x.i)
                .Select(x => AffinityGroup(TopologyKind.AntiAffinity, x.t.PodAffinityTerm, ns)).ToList(),
            HostPorts = hostPorts,
            InvalidReason = invalid,
        };
    }

    private TopologyGroup AffinityGroup(TopologyKind kind, V1PodAffinityTerm term, string podNamespace)
    {
        IReadOnlySet<string>? namespaces;
        if (term.Namespaces is { Count: > 0 })
        {
            namespaces = new HashSet<string>(term.Namespaces, StringComparer.Ordinal);
        }
        else if (term.NamespaceSelector is not null)
        {
            // Namespace labels are not part of the input: a namespace selector counts every namespace.
            namespaces = null;
        }
        else
        {
            namespaces = new HashSet<string>(StringComparer.Ordinal) { podNamespace };
        }

        return GetOrAdd(kind, WellKnownLabels.Normalize(term.TopologyKey), LabelSelectorMatcher.Compile(term.LabelSelector), namespaces, 1, null);
    }

    private TopologyGroup GetOrAdd(TopologyKind kind, string key, LabelSelectorMatcher selector, IReadOnlySet<string>? namespaces, int maxSkew, int? minDomains)
    {
        var canonical = $"{kind}|{key}|{selector.Canonical}|{(namespaces is null ? "*" : string.Join(",", namespaces.Order(StringComparer.Ordinal)))}|{maxSkew}|{minDomains}";
        if (!_byCanonical.TryGetValue(canonical, out var tg))
        {
            tg = new TopologyGroup(TopologyGroups.Count, kind, key, selector, namespaces, maxSkew, minDomains);
            _byCanonical[canonical] = tg;
            TopologyGroups.Add(tg);
        }

        return tg;
    }

    /// <summary>A nodeSelector as In requirements, deprecated label keys normalised.</summary>
    public static RequirementSet FromNodeSelector(IDictionary<string, string>? nodeSelector)
    {
        var set = RequirementSet.Empty;
        foreach (var (k, v) in nodeSelector ?? new Dictionary<string, string>())
        {
            set = set.Add(Requirement.In(WellKnownLabels.Normalize(k), v));
        }

        return set;
    }

    /// <summary>One node-selector term as requirements; throws <see cref="FormatException"/> when malformed.</summary>
    public static RequirementSet FromTerm(V1NodeSelectorTerm? term)
    {
        var set = RequirementSet.Empty;
        foreach (var e in term?.MatchExpressions ?? [])
        {
            if (!Enum.TryParse<RequirementOperator>(e.OperatorProperty, ignoreCase: false, out var op))
            {
                throw new FormatException($"unknown operator '{e.OperatorProperty}' for key '{e.Key}'");
            }

            set = set.Add(Requirement.From(new NodeSelectorRequirementWithMinValues(WellKnownLabels.Normalize(e.Key), op, e.Values?.ToList() ?? [])));
        }

        return set;
    }

    private static string Signature(string ns, IDictionary<string, string>? labels, V1PodSpec spec)
    {
        var sb = new StringBuilder(256);
        sb.Append(ns).Append('|');
        Map(sb, labels);
        var r = PodRequests.Of(spec);
        sb.Append('|').Append(r.MilliCpu).Append(',').Append(r.Memory).Append(',').Append(r.Pods).Append(',').Append(r.EphemeralStorage);
        foreach (var (k, v) in r.Extended ?? System.Collections.Immutable.ImmutableSortedDictionary<string, long>.Empty)
        {
            sb.Append(',').Append(k).Append('=').Append(v);
        }

        sb.Append('|');
        Map(sb, spec.NodeSelector);
        sb.Append('|');
        var a = spec.Affinity;
        if (a is not null)
        {
            foreach (var t in a.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution?.NodeSelectorTerms ?? [])
            {
                sb.Append("rt:");
                NodeTerm(sb, t);
            }

            foreach (var t in a.NodeAffinity?.PreferredDuringSchedulingIgnoredDuringExecution ?? [])
            {
                sb.Append("pt:").Append(t.Weight);
                NodeTerm(sb, t.Preference);
            }

            Terms(sb, "ra:", a.PodAffinity?.RequiredDuringSchedulingIgnoredDuringExecution);
            Terms(sb, "rx:", a.PodAntiAffinity?.RequiredDuringSchedulingIgnoredDuringExecution);
            foreach (var t in a.PodAffinity?.PreferredDuringSchedulingIgnoredDuringExecution ?? [])
            {
                sb.Append("pa:").Append(t.Weight);
                Term(sb, t.PodAffinityTerm);
            }

            foreach (var t in a.PodAntiAffinity?.PreferredDuringSchedulingIgnoredDuringExecution ?? [])
            {
                sb.Append("px:").Append(t.Weight);
                Term(sb, t.PodAffinityTerm);
            }
        }

        sb.Append('|');
        foreach (var t in spec.Tolerations ?? [])
        {
            sb.Append(t.Key).Append(',').Append(t.OperatorProperty).Append(',').Append(t.Value).Append(',').Append(t.Effect).Append(';');
        }

        sb.Append('|');
        foreach (var c in spec.TopologySpreadConstraints ?? [])
        {
            sb.Append(c.TopologyKey).Append(',').Append(c.MaxSkew).Append(',').Append(c.MinDomains).Append(',').Append(c.WhenUnsatisfiable).Append(',');
            Selector(sb, c.LabelSelector);
            foreach (var k in c.MatchLabelKeys ?? [])
            {
                sb.Append(k).Append(',');
            }

            sb.Append(';');
        }

        sb.Append('|');
        foreach (var p in HostPort.Of(spec))
        {
            sb.Append(p.Ip).Append(':').Append(p.Port.ToString(CultureInfo.InvariantCulture)).Append('/').Append(p.Protocol).Append(',');
        }

        return sb.ToString();
    }

    private static void Map(StringBuilder sb, IDictionary<string, string>? map)
    {
        if (map is null)
        {
            return;
        }

        foreach (var (k, v) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            sb.Append(k).Append('=').Append(v).Append(',');
        }
    }

    private static void NodeTerm(StringBuilder sb, V1NodeSelectorTerm? term)
    {
        foreach (var e in term?.MatchExpressions ?? [])
        {
            sb.Append(e.Key).Append(' ').Append(e.OperatorProperty).Append(' ').AppendJoin(',', e.Values ?? []).Append(';');
        }

        sb.Append('/');
    }

    private static void Terms(StringBuilder sb, string tag, IList<V1PodAffinityTerm>? terms)
    {
        foreach (var t in terms ?? [])
        {
            sb.Append(tag);
            Term(sb, t);
        }
    }

    private static void Term(StringBuilder sb, V1PodAffinityTerm? t)
    {
        if (t is null)
        {
            return;
        }

        sb.Append(t.TopologyKey).Append(',');
        Selector(sb, t.LabelSelector);
        sb.Append(',').AppendJoin(',', t.Namespaces ?? []).Append(',');
        if (t.NamespaceSelector is not null)
        {
            sb.Append("ns:");
            Selector(sb, t.NamespaceSelector);
        }

        sb.Append(';');
    }

    private static void Selector(StringBuilder sb, V1LabelSelector? s)
    {
        if (s is null)
        {
            sb.Append("<nil>");
            return;
        }

        sb.Append(LabelSelectorMatcher.Compile(s).Canonical);
    }

    /// <summary>Compares the spec/labels part by reference and the namespace by value.</summary>
    private sealed class ReferenceTupleComparer : IEqualityComparer<(V1PodSpec, IDictionary<string, string>?, string)>
    {
        public static readonly ReferenceTupleComparer Instance = new();

        public bool Equals((V1PodSpec, IDictionary<string, string>?, string) x, (V1PodSpec, IDictionary<string, string>?, string) y) =>
            ReferenceEquals(x.Item1, y.Item1) && ReferenceEquals(x.Item2, y.Item2) && x.Item3 == y.Item3;

        public int GetHashCode((V1PodSpec, IDictionary<string, string>?, string) obj) =>
            HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Item1),
                obj.Item2 is null ? 0 : System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Item2), obj.Item3);
    }
}
