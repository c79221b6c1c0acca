using System.Globalization;
using k8s.Models;
using Karpenter.Orleans.Scheduling.Provisioning.Internal;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Disruption;

/// <summary>
/// Shrinks a what-if's input without changing its answer. The solver reads a bound pod only for its
/// requests, the topology groups of the solve that count it, its required anti-affinity, its host ports and
/// whether a DaemonSet owns it. So of a node's bound pods, those with required anti-affinity, host ports or
/// extended resources are passed as they are; those a group of the solve counts as twins (their metadata,
/// no requests); and the requests of all the others and of the twins as one stand-in pod (naming the
/// DaemonSets it stands for). The groups a solve can have are known up front: those its pending pods
/// declare and every pod's required anti-affinity. Compiling thousands of bound pods for every what-if was
/// most of a plan's time.
/// </summary>
internal sealed class PodFolding
{
    private const string Namespace = "karpenter-planner-folded";

    private readonly PodCompiler _compiler = new();
    private readonly Dictionary<string, Facts> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<V1Pod, Facts> _byPod = new(ReferenceEqualityComparer.Instance);
    private readonly List<int> _alwaysActive = [];
    private readonly Dictionary<string, (ResourceVector Sum, string Owners, V1Pod Pod)> _standIns = new(StringComparer.Ordinal);

    private PodFolding()
    {
    }

    /// <summary>How many topology groups the cluster's pods declare.</summary>
    public int GroupCount => _compiler.TopologyGroups.Count;

    /// <summary>The folding for these pods, or null when it cannot be proven to leave solves unchanged.</summary>
    public static PodFolding? Create(IReadOnlyList<V1Pod> pods)
    {
        try
        {
            var folding = new PodFolding();
            return folding.Learn(pods) ? folding : null;
        }
        catch (FormatException)
        {
            // A malformed constraint: the solver reports it; the planner passes pods as they are.
            return null;
        }
    }

    /// <summary>Whether the pod's facts are known: a pod of the cluster the folding was made for, or a copy of one, with a name of its own.</summary>
    public bool Knows(V1Pod pod) => Find(pod) is not null;

    /// <summary>Marks in <paramref name="active"/> the topology groups a solve with these pending pods can have.</summary>
    public void Activate(IEnumerable<V1Pod> pending, bool[] active)
    {
        foreach (var id in _alwaysActive)
        {
            active[id] = true;
        }

        foreach (var pod in pending)
        {
            foreach (var id in Find(pod)!.Declares)
            {
                active[id] = true;
            }
        }
    }

    /// <summary>
    /// The node's bound pods for a solve whose topology groups are within <paramref name="active"/>: those the
    /// solver must see whole; for those a group counts, a twin with their metadata and no requests; and one
    /// stand-in requesting what the twins and the other pods request.
    /// </summary>
    /// <returns>Whether the node got nothing but the stand-in.</returns>
    public bool AddFolded(string node, List<V1Pod> bound, bool[] active, List<V1Pod> into)
    {
        // What-ifs ask again and again about the same nodes with the same few sets of groups.
        var key = ActiveKey(active);
        if (!_folds.TryGetValue(node, out var folds) || !ReferenceEquals(folds.Pods, bound) || folds.Count != bound.Count)
        {
            folds = (bound, bound.Count, new Dictionary<string, (V1Pod[], bool)>(StringComparer.Ordinal));
            _folds[node] = folds;
        }

        if (folds.ByActive.TryGetValue(key, out var known))
        {
            into.AddRange(known.Pods);
            return known.Plain;
        }

        var start = into.Count;
        var plain = Fold(node, bound, active, into);
        if (folds.ByActive.Count >= MaxFoldsPerNode)
        {
            folds.ByActive.Clear();
        }

        folds.ByActive[key] = ([.. into.Skip(start)], plain);
        return plain;
    }

    private const int MaxFoldsPerNode = 8;

    private readonly Dictionary<string, (List<V1Pod> Pods, int Count, Dictionary<string, (V1Pod[] Pods, bool Plain)> ByActive)> _folds = new(StringComparer.Ordinal);

    private bool[]? _lastActive;
    private string _lastKey = "";

    private string ActiveKey(bool[] active)
    {
        if (ReferenceEquals(active, _lastActive))
        {
            return _lastKey;
        }

        _lastActive = active;
        _lastKey = string.Join(",", Enumerable.Range(0, active.Length).Where(i => active[i]));
        return _lastKey;
    }

    private bool Fold(string node, List<V1Pod> bound, bool[] active, List<V1Pod> into)
    {
        var start = into.Count;
        var sum = ResourceVector.Zero;
        var folded = 0;
        var twins = 0;
        List<V1OwnerReference>? owners = null;
        foreach (var pod in bound)
        {
            var f = Find(pod);
            if (f is null || f.Keep)
            {
                into.Add(pod);
                continue;
            }

            sum += f.Requests;
            folded++;
            if (f.Matches.Any(id => active[id]))
            {
                // Counted by a group of this solve: the twin keeps its labels, namespace and owners where they are.
                into.Add(Twin(pod, f, node));
                twins++;
            }
            else if (f.DaemonSets.Count > 0)
            {
                (owners ??= []).AddRange(f.DaemonSets);
            }
        }

        if (folded == 0)
        {
            return into.Count == start;
        }

        // Each twin takes its pod slot itself; the stand-in needs one of its own, so with nothing but twins
        // and one slot each there is nothing to fold.
        if (sum.Pods - twins < 1)
        {
            into.RemoveRange(start, into.Count - start);
            into.AddRange(bound);
            return false;
        }

        var plain = into.Count == start;
        into.Add(StandIn(node, sum, twins, owners));
        return plain;
    }

    /// <summary>
    /// Whether nodes that hold only a stand-in and can take no pending pod may be left out of a solve with
    /// these groups: not when a hostname spread is among them (every node is one of its domains, empty or not).
    /// </summary>
    public bool MayDropNodes(bool[] active) =>
        !_compiler.TopologyGroups.Any(tg => active[tg.Id] && tg.IsHostname && tg.Kind == TopologyKind.Spread);

    /// <summary>The topology keys, other than hostname, of the active groups.</summary>
    public IReadOnlyCollection<string> DomainKeys(bool[] active) =>
        [.. _compiler.TopologyGroups.Where(tg => active[tg.Id] && !tg.IsHostname).Select(tg => tg.Key).Distinct()];

    private bool Learn(IReadOnlyList<V1Pod> pods)
    {
        var groups = _compiler.Compile([.. pods.Select((p, i) => (p, i))]);
        var declares = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var g in groups)
        {
            int[] ids = [.. g.Spreads.Select(s => s.Group.Id).Concat(g.RequiredAffinity.Select(t => t.Id)).Concat(g.RequiredAntiAffinity.Select(t => t.Id))
                .Concat(g.PreferredAffinity.Select(t => t.Id)).Concat(g.PreferredAntiAffinity.Select(t => t.Id)).Distinct().Order()];
            foreach (var key in g.PodKeys)
            {
                declares[key] = ids;
            }
        }

        var anti = new HashSet<int>();
        var facts = new List<(string Key, V1Pod Pod, bool AntiOwner)>();
        foreach (var pod in pods)
        {
            var required = _compiler.RequiredAntiAffinityOf(pod);
            anti.UnionWith(required.Select(t => t.Id));
            facts.Add((PodFacts.Key(pod), pod, required.Count > 0));
        }

        _alwaysActive.AddRange(anti.Order());
        var all = _compiler.TopologyGroups;

        // The stand-in has no labels, in a namespace of its own: no group may count it.
        if (all.Any(tg => tg.Matches(Namespace, null) || tg.Matches(Namespace, new Dictionary<string, string>())))
        {
            return false;
        }

        // Two pods of one name cannot be told apart by name: passed as they are.
        var ambiguous = facts.GroupBy(f => f.Key, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var (key, pod, antiOwner) in facts)
        {
            if (ambiguous.Contains(key))
            {
                continue;
            }

            var ns = pod.Metadata?.NamespaceProperty ?? "default";
            var labels = pod.Metadata?.Labels;
            var requests = PodRequests.Of(pod.Spec);
            var odd = requests.Extended is not null || requests.MilliCpu < 0 || requests.Memory < 0 || requests.Pods < 1 || requests.EphemeralStorage < 0 ||
                requests.MilliCpu > Huge || requests.Memory > Huge || requests.EphemeralStorage > Huge || requests.Pods > Huge;
            var f = new Facts
            {
                Declares = declares.GetValueOrDefault(key) ?? [],
                Matches = [.. all.Where(tg => tg.Matches(ns, labels)).Select(tg => tg.Id)],
                Keep = antiOwner || odd || HostPort.Of(pod.Spec).Any(),
                Requests = requests,
                DaemonSets = [.. pod.Metadata?.OwnerReferences?.Where(o => o.Kind == "DaemonSet") ?? []],
            };
            _byKey[key] = f;
            _byPod[pod] = f;
        }

        return true;
    }

    // Sums of a node's pods stay far from saturating a long.
    private const long Huge = 1L << 50;

    private Facts? Find(V1Pod pod)
    {
        if (_byPod.TryGetValue(pod, out var f))
        {
            return f;
        }

        // A copy made by a move (same metadata and spec): known by its name.
        if (_byKey.TryGetValue(PodFacts.Key(pod), out f))
        {
            _byPod[pod] = f;
        }

        return f;
    }

    private static V1Pod Twin(V1Pod pod, Facts f, string node)
    {
        if (f.Twin is { } twin && twin.Spec.NodeName == node && ReferenceEquals(twin.Metadata, pod.Metadata))
        {
            return twin;
        }

        twin = new V1Pod
        {
            ApiVersion = pod.ApiVersion,
            Kind = pod.Kind,
            Metadata = pod.Metadata,
            Spec = new V1PodSpec { NodeName = node, Containers = [] },
            Status = new V1PodStatus { Phase = "Running" },
        };
        f.Twin = twin;
        return twin;
    }

    private V1Pod StandIn(string node, ResourceVector sum, int twins, List<V1OwnerReference>? owners)
    {
        var names = owners is null ? "" : string.Join(",", owners.Select(o => o.Name));
        sum -= new ResourceVector(0, 0, twins);
        if (_standIns.TryGetValue(node, out var known) && known.Sum == sum && known.Owners == names)
        {
            return known.Pod;
        }

        var requests = new Dictionary<string, ResourceQuantity>(StringComparer.Ordinal)
        {
            [ResourceNames.Cpu] = new(sum.MilliCpu.ToString(CultureInfo.InvariantCulture) + "m"),
            [ResourceNames.Memory] = new(sum.Memory.ToString(CultureInfo.InvariantCulture)),
            // The solver adds one pod slot per pod itself.
            [ResourceNames.Pods] = new((sum.Pods - 1).ToString(CultureInfo.InvariantCulture)),
        };
        if (sum.EphemeralStorage != 0)
        {
            requests[ResourceNames.EphemeralStorage] = new(sum.EphemeralStorage.ToString(CultureInfo.InvariantCulture));
        }

        var pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta { Name = $"folded-{node}", NamespaceProperty = Namespace, OwnerReferences = owners },
            Spec = new V1PodSpec
            {
                NodeName = node,
                Containers = [new V1Container { Name = "folded", Resources = new V1ResourceRequirements { Requests = requests } }],
            },
            Status = new V1PodStatus { Phase = "Running" },
        };
        _standIns[node] = (sum, names, pod);
        return pod;
    }

    private sealed class Facts
    {
        /// <summary>Topology groups the pod declares when pending.</summary>
        public required int[] Declares { get; init; }

        /// <summary>Topology groups whose selector counts the pod.</summary>
        public required int[] Matches { get; init; }

        /// <summary>The solver must see the pod itself (required anti-affinity, host ports, resources a sum would not keep).</summary>
        public required bool Keep { get; init; }

        public required ResourceVector Requests { get; init; }

        public required List<V1OwnerReference> DaemonSets { get; init; }

        /// <summary>The last twin made of the pod (a pod is on one node at a time).</summary>
        public V1Pod? Twin { get; set; }
    }
}
