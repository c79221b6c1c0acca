using System.Collections.Concurrent;
using k8s.Models;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Provisioning.Internal;

/// <summary>
/// Everything compiled once per solve and shared by every packing strategy: the catalog index, NodePools
/// in weight order, pod groups in first-fit-decreasing order, topology groups and the initial cluster state.
/// </summary>
internal sealed class SolverModel
{
    private readonly ConcurrentDictionary<string, List<string>> _domains = new(StringComparer.Ordinal);
    private readonly Lazy<List<PoolTemplate>> _domainPools;
    private readonly ConcurrentDictionary<(int Pool, string Key, bool Launchable), string[]> _poolDomains = new();
    private Dictionary<string, InstanceType>? _typesByName;

    public SolverModel(SchedulingInput input, SolverOptions options)
    {
        Options = options;
        Index = new CatalogIndex(input.Catalog);
        WellKnown = input.Catalog.WellKnownLabelKeys;
        var compiler = new PodCompiler();

        var claims = InFlightClaims.Validate(input);
        var pending = new List<(V1Pod, int)>();
        var bound = new List<V1Pod>();
        var nominatedTo = new Dictionary<V1Pod, InFlightNodeClaim>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < input.Pods.Count; i++)
        {
            var pod = input.Pods[i];
            var claim = claims.Nominations.Count > 0 ? claims.NominatedTo(pod) : null;
            if (string.IsNullOrEmpty(pod.Spec?.NodeName))
            {
                if (claim is not null)
                {
                    // Planned onto a claim by an earlier run: it holds its room there, like a bound pod.
                    nominatedTo[pod] = claim;
                    bound.Add(pod);
                }
                else if (pod.Status?.Phase is not ("Succeeded" or "Failed"))
                {
                    pending.Add((pod, i));
                }
            }
            else
            {
                InFlightClaims.RejectBoundNomination(pod, claim);
                bound.Add(pod);
            }
        }

        claims.RequireAllFound();

        PendingCount = pending.Count;
        Groups = compiler.Compile(pending);
        // Bound pods with required anti-affinity declare groups too: compile them before matching.
        var boundAnti = bound.Select(p => (Pod: p, Groups: compiler.RequiredAntiAffinityOf(p))).ToList();
        TopologyGroups = compiler.TopologyGroups;
        foreach (var (_, groups) in boundAnti)
        {
            RequiredAnti.UnionWith(groups);
        }

        foreach (var g in Groups)
        {
            RequiredAnti.UnionWith(g.RequiredAntiAffinity);
        }

        foreach (var g in Groups)
        {
            foreach (var tg in TopologyGroups)
            {
                if (tg.Matches(g.Namespace, g.Labels))
                {
                    g.CountedBy.Add(tg);
                    if (tg.Kind == TopologyKind.AntiAffinity && RequiredAnti.Contains(tg))
                    {
                        g.RepelledBy.Add(tg);
                    }
                }
            }
        }

        // First-fit decreasing: larger pods first, input order breaks ties.
        Groups.Sort((a, b) =>
        {
            var c = b.Requests.MilliCpu.CompareTo(a.Requests.MilliCpu);
            if (c != 0)
            {
                return c;
            }

            c = b.Requests.Memory.CompareTo(a.Requests.Memory);
            return c != 0 ? c : a.FirstInputIndex.CompareTo(b.FirstInputIndex);
        });

        Pools = Options.ExistingCapacityOnly ? [] : CompilePools(input);
        // The pools whose domains count: the launching ones, or (existing capacity only) the ones Karpenter would
        // still count for topology; compiled only if a topology group asks for domains.
        _domainPools = Options.ExistingCapacityOnly
            ? new Lazy<List<PoolTemplate>>(() => Options.NodePoolTopologyDomains ? CompilePools(input) : [])
            : new Lazy<List<PoolTemplate>>(Pools);
        AnyPreferNoSchedule = Pools.Any(p => p.Taints.Any(t => t.Effect == "PreferNoSchedule"));
        InitialTopology = new TopologyState(TopologyGroups.Count);
        InitialNodes = CompileNodes(input, claims, bound, nominatedTo, boundAnti);
    }

    public SolverOptions Options { get; }

    public CatalogIndex Index { get; }

    public ISet<string> WellKnown { get; }

    public int PendingCount { get; }

    public List<PodGroup> Groups { get; }

    public List<TopologyGroup> TopologyGroups { get; }

    public List<PoolTemplate> Pools { get; }

    public bool AnyPreferNoSchedule { get; }

    public TopologyState InitialTopology { get; }

    public List<NodeTarget> InitialNodes { get; }

    private HashSet<TopologyGroup> RequiredAnti { get; } = [];

    /// <summary>Values a topology key can take on any node this run could use or already has, sorted.</summary>
    public List<string> Domains(string key)
    {
        if (_domains.TryGetValue(key, out var list))
        {
            return list;
        }

        var set = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var pool in _domainPools.Value)
        {
            AddPoolDomains(pool, key, set);
        }

        foreach (var n in InitialNodes)
        {
            if (n.Labels.TryGetValue(key, out var v))
            {
                set.Add(v);
            }
        }

        list = [.. set];
        _domains[key] = list;
        return list;
    }

    /// <summary>
    /// The domains of <paramref name="key"/> a new claim of <paramref name="pool"/> may be in, added to <paramref name="set"/>;
    /// with <paramref name="launchable"/>, a zone or capacity type only when an available offering has it, not because
    /// the NodePool's requirements name it.
    /// </summary>
    public void AddPoolDomains(PoolTemplate pool, string key, ISet<string> set, bool launchable = false)
    {
        // Every packing asks this for every group and spread key; the answer depends on the pool and key only.
        foreach (var d in _poolDomains.GetOrAdd((pool.Index, key, launchable), _ => PoolDomains(pool, key, launchable)))
        {
            set.Add(d);
        }
    }

    private string[] PoolDomains(PoolTemplate pool, string key, bool launchable)
    {
        // In the order found (a set that keeps insertion order when nothing is removed), as callers list domains in it.
        var set = new HashSet<string>(StringComparer.Ordinal);
        var r = pool.Requirements[key];
        foreach (var t in pool.Types.Indices())
        {
            var type = Index.Types[t];
            if (key is WellKnownLabels.Zone or WellKnownLabels.CapacityType)
            {
                foreach (var o in type.Offerings)
                {
                    if (!o.Available || !(pool.Requirements[WellKnownLabels.Zone]?.Has(o.Zone) ?? true) ||
                        !(pool.Requirements[WellKnownLabels.CapacityType]?.Has(o.CapacityType) ?? true))
                    {
                        continue;
                    }

                    set.Add(key == WellKnownLabels.Zone ? o.Zone : o.CapacityType);
                }
            }
            else if (type.Labels.TryGetValue(key, out var v) && (r is null || r.Has(v)))
            {
                set.Add(v);
            }
        }

        if (r is { Complement: false } && !(launchable && key is WellKnownLabels.Zone or WellKnownLabels.CapacityType))
        {
            set.UnionWith(r.Values);
        }

        return [.. set];
    }

    private List<PoolTemplate> CompilePools(SchedulingInput input)
    {
        // Weight descending, then name descending, as Karpenter orders NodePools.
        // No NodePool means Karpenter's default one, with no requirements.
        var ordered = (input.NodePools.Count > 0 ? input.NodePools : [new NodePool { Name = "default" }])
            .OrderByDescending(p => p.Weight)
            .ThenByDescending(p => p.Name, StringComparer.Ordinal)
            .ToList();
        var daemonSets = input.DaemonSets.Select(ds => (Ds: ds, Requests: PodRequests.Of(ds.Spec?.Template?.Spec),
            Terms: DaemonTerms(ds.Spec?.Template?.Spec))).ToList();
        var pools = new List<PoolTemplate>(ordered.Count);
        foreach (var pool in ordered)
        {
            var reqs = pool.TemplateRequirements;
            var types = Index.All.And(Index.For(reqs));
            var overhead = new ResourceVector[Index.Count];
            var room = new ResourceVector[Index.Count];
            var price = new double[Index.Count];
            var ports = new List<HostPort>();
            var compatibleDs = daemonSets.Where(d =>
                Taints.FirstUntolerated(pool.Taints, d.Ds.Spec?.Template?.Spec?.Tolerations ?? [], strictPreferNoSchedule: false) is null &&
                d.Terms.Any(term => reqs.Compatible(term, WellKnown) is null && reqs.Intersects(term))).ToList();
            foreach (var d in compatibleDs)
            {
                ports.AddRange(HostPort.Of(d.Ds.Spec?.Template?.Spec));
            }

            for (var t = 0; t < Index.Count; t++)
            {
                var o = ResourceVector.Zero;
                foreach (var d in compatibleDs)
                {
                    if (d.Terms.Any(term => Index.Types[t].Requirements.Intersects(term)))
                    {
                        o += d.Requests;
                    }
                }

                overhead[t] = o;
                room[t] = (pool.AllocatableByType is { } byType && byType.TryGetValue(Index.Types[t].Name, out var kubelet)
                    ? kubelet
                    : WithMaxPods(Index.Allocatable[t], pool.MaxPods)) - o;
                price[t] = types.Contains(t) ? Index.CheapestOffering(t, reqs)?.Price ?? double.PositiveInfinity : double.PositiveInfinity;
            }

            var limits = pool.Limits
                .Where(l => l.Key != ResourceNames.Nodes)
                .Select(l => (l.Key, ResourceVector.Parse([l]).Get(l.Key)))
                .ToList();
            pools.Add(new PoolTemplate
            {
                Index = pools.Count,
                Pool = pool,
                Requirements = reqs,
                Types = types,
                Overhead = overhead,
                Room = room,
                DaemonPorts = ports,
                Limits = limits,
                NodeLimit = pool.NodeLimit,
                Price = price,
                TypesByPrice = [.. types.Indices().Where(t => double.IsFinite(price[t])).OrderBy(t => price[t]).ThenBy(t => t)],
                MaxCapacity = types.Indices().Select(t => Index.Capacity[t]).Aggregate(ResourceVector.Zero, ResourceVector.Max),
            });
        }

        return pools;
    }

    /// <summary>
    /// The node selections a DaemonSet's pods accept (ORed terms). An empty list selects no node: every
    /// required term was malformed.
    /// </summary>
    private static List<RequirementSet> DaemonTerms(V1PodSpec? spec)
    {
        var selector = PodCompiler.FromNodeSelector(spec?.NodeSelector);
        var written = spec?.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution?.NodeSelectorTerms;
        if (written is not { Count: > 0 })
        {
            return [selector];
        }

        var terms = new List<RequirementSet>();
        foreach (var term in written)
        {
            try
            {
                terms.Add(selector.Add(PodCompiler.FromTerm(term)));
            }
            catch (FormatException)
            {
                // A malformed term selects no node; the API server would have refused it anyway.
            }
        }

        return terms;
    }

    /// <summary>
    /// Plain nodes first, by name, then in-flight claims, by name (a joined claim with its node): capacity
    /// that is there is filled before capacity on its way, as Karpenter orders initialized nodes first.
    /// </summary>
    private List<NodeTarget> CompileNodes(SchedulingInput input, InFlightClaims claims, List<V1Pod> bound,
        Dictionary<V1Pod, InFlightNodeClaim> nominatedTo, List<(V1Pod Pod, List<TopologyGroup> Groups)> boundAnti)
    {
        var podsByNode = bound.Where(p => !nominatedTo.ContainsKey(p)).GroupBy(p => p.Spec.NodeName, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var podsByClaim = nominatedTo.GroupBy(p => p.Value.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(p => p.Key).ToList(), StringComparer.Ordinal);
        var antiByPod = new Dictionary<V1Pod, List<TopologyGroup>>(ReferenceEqualityComparer.Instance);
        foreach (var (pod, groups) in boundAnti)
        {
            antiByPod[pod] = groups;
        }

        var nodes = new List<NodeTarget>();
        foreach (var node in input.Nodes.Where(n => !claims.ByNode.ContainsKey(n.Metadata?.Name ?? "")).OrderBy(n => n.Metadata?.Name, StringComparer.Ordinal))
        {
            var name = node.Metadata?.Name ?? "";
            var allocatable = ResourceVector.FromQuantities(node.Status?.Allocatable);
            var capacity = node.Status?.Capacity is { Count: > 0 } cap ? ResourceVector.FromQuantities(cap) : allocatable;
            var labels = node.Metadata?.Labels ?? new Dictionary<string, string>();
            nodes.Add(CompileTarget(input, name, null, labels, allocatable, capacity, node.Spec?.Taints ?? [], node.Spec?.Unschedulable == true,
                labels.TryGetValue(WellKnownLabels.NodePool, out var pool) ? pool : null, podsByNode.GetValueOrDefault(name) ?? [], antiByPod));
        }

        foreach (var claim in input.NodeClaims.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            var nominated = podsByClaim.GetValueOrDefault(claim.Name) ?? [];
            if (claim.NodeName is { } nodeName)
            {
                var node = claims.Nodes[nodeName];
                var reports = node.Status?.Allocatable is { } a && a.ContainsKey(ResourceNames.Cpu) && a.ContainsKey(ResourceNames.Memory);
                var allocatable = reports ? ResourceVector.FromQuantities(node.Status!.Allocatable) : ClaimAllocatable(input, claim);
                var capacity = !reports ? ClaimCapacity(input, claim) : node.Status?.Capacity is { Count: > 0 } cap ? ResourceVector.FromQuantities(cap) : allocatable;
                nodes.Add(CompileTarget(input, nodeName, claim.Name, node.Metadata?.Labels ?? new Dictionary<string, string>(), allocatable, capacity,
                    node.Spec?.Taints ?? [], node.Spec?.Unschedulable == true, claim.NodePool, [.. podsByNode.GetValueOrDefault(nodeName) ?? [], .. nominated], antiByPod));
            }
            else
            {
                nodes.Add(CompileTarget(input, claim.Name, claim.Name, ClaimLabels(claim), ClaimAllocatable(input, claim), ClaimCapacity(input, claim),
                    [.. claim.Taints], false, claim.NodePool, nominated, antiByPod));
            }
        }

        return nodes;
    }

    /// <summary>The kubelet's maxPods replaces a type's pod count, as Karpenter computes a type's pods from it when it is set.</summary>
    private static ResourceVector WithMaxPods(ResourceVector allocatable, int? maxPods) =>
        maxPods is { } max
            ? new ResourceVector(allocatable.MilliCpu, allocatable.Memory, max, allocatable.EphemeralStorage, allocatable.Extended)
            : allocatable;

    private InstanceType? TypeOf(InFlightNodeClaim claim)
    {
        _typesByName ??= Index.Types.GroupBy(t => t.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        return _typesByName.GetValueOrDefault(claim.InstanceType);
    }

    // A claim planned under its NodePool's per-type allocatable (node class kubelet settings) holds that much in flight too.
    private ResourceVector ClaimAllocatable(SchedulingInput input, InFlightNodeClaim claim) =>
        claim.Allocatable ?? PoolAllocatable(input, claim) ?? TypeOf(claim)?.Allocatable ?? throw new ArgumentException(
            $"NodeClaim \"{claim.Name}\": instance type \"{claim.InstanceType}\" is not in the catalog and the claim gives no allocatable", "input");

    private static ResourceVector? PoolAllocatable(SchedulingInput input, InFlightNodeClaim claim) =>
        input.NodePools.FirstOrDefault(p => p.Name == claim.NodePool)?.AllocatableByType is { } byType && byType.TryGetValue(claim.InstanceType, out var allocatable)
            ? allocatable
            : null;

    private ResourceVector ClaimCapacity(SchedulingInput input, InFlightNodeClaim claim) =>
        claim.Capacity ?? TypeOf(claim)?.Capacity ?? ClaimAllocatable(input, claim);

    /// <summary>The labels the claim's node will carry: its type's, the claim's own, then what the claim pins down.</summary>
    private Dictionary<string, string> ClaimLabels(InFlightNodeClaim claim)
    {
        var labels = new Dictionary<string, string>(TypeOf(claim)?.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (k, v) in claim.Labels)
        {
            labels[k] = v;
        }

        labels[WellKnownLabels.InstanceType] = claim.InstanceType;
        labels[WellKnownLabels.NodePool] = claim.NodePool;
        labels[WellKnownLabels.Hostname] = claim.Name;
        if (claim.Zone is { } zone)
        {
            labels[WellKnownLabels.Zone] = zone;
        }

        if (claim.CapacityType is { } capacityType)
        {
            labels[WellKnownLabels.CapacityType] = capacityType;
        }

        if (Index.Catalog.Region is { } region)
        {
            labels.TryAdd(WellKnownLabels.Region, region);
        }

        return labels;
    }

    private NodeTarget CompileTarget(SchedulingInput input, string name, string? claim, IDictionary<string, string> nodeLabels, ResourceVector allocatable,
        ResourceVector capacity, IList<V1Taint> taints, bool cordoned, string? poolName, List<V1Pod> pods, Dictionary<V1Pod, List<TopologyGroup>> antiByPod)
    {
        var labels = new Dictionary<string, string>(nodeLabels, StringComparer.Ordinal);
        foreach (var (old, now) in WellKnownLabels.Normalized)
        {
            if (labels.TryGetValue(old, out var v) && !labels.ContainsKey(now))
            {
                labels[now] = v;
            }
        }

        labels.TryAdd(WellKnownLabels.Hostname, name);
        var target = new NodeTarget
        {
            Name = name,
            Labels = labels,
            Allocatable = allocatable,
            Taints = taints,
            Cordoned = cordoned,
            NodeClaim = claim,
        };
        var used = ResourceVector.Zero;
        var daemonOwners = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            if (pod.Status?.Phase is "Succeeded" or "Failed")
            {
                continue;
            }

            used += PodRequests.Of(pod.Spec);
            var ns = pod.Metadata?.NamespaceProperty ?? "default";
            foreach (var tg in TopologyGroups)
            {
                if (tg.Matches(ns, pod.Metadata?.Labels))
                {
                    if (tg.IsHostname)
                    {
                        target.AddHostCount(tg.Id, 1);
                    }

                    InitialTopology.Add(tg, tg.IsHostname ? null : target.Domain(tg.Key), 1);
                }
            }

            foreach (var tg in antiByPod.GetValueOrDefault(pod) ?? [])
            {
                if (tg.IsHostname)
                {
                    target.AntiOwners.Add(tg.Id);
                }
                else if (target.Domain(tg.Key) is { } d)
                {
                    InitialTopology.AddOwner(tg, d);
                }
            }

            target.Ports.AddRange(HostPort.Of(pod.Spec));

            foreach (var owner in pod.Metadata?.OwnerReferences ?? [])
            {
                if (owner.Kind == "DaemonSet")
                {
                    daemonOwners.Add(owner.Name);
                }
            }
        }

        // DaemonSets that will run here but have no pod yet still take their share.
        foreach (var ds in input.DaemonSets)
        {
            var spec = ds.Spec?.Template?.Spec;
            if (daemonOwners.Contains(ds.Metadata?.Name ?? "") ||
                Taints.FirstUntolerated(target.Taints.Where(t => t.Effect != "PreferNoSchedule"), spec?.Tolerations ?? [], false) is not null ||
                !DaemonTerms(spec).Any(t => t.MatchesLabels(labels)))
            {
                continue;
            }

            used += PodRequests.Of(spec);
        }

        target.Used = used;
        if (poolName is not null && Pools.FirstOrDefault(p => p.Name == poolName) is { } pool)
        {
            // Nodes and claims of a NodePool count against its limits, whether joined or on their way.
            pool.InUse += capacity;
            pool.NodesInUse++;
        }

        return target;
    }
}
