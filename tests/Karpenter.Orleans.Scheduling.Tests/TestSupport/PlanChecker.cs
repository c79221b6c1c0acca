using System.Globalization;
using k8s.Models;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Provisioning;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Tests.TestSupport;

/// <summary>What a violation is about, so property tests can check one family at a time.</summary>
public enum ViolationKind
{
    Accounting,
    Fit,
    Placement,
    Offering,
    Limits,
    Completeness,
}

public sealed record Violation(ViolationKind Kind, string Message)
{
    public override string ToString() => $"[{Kind}] {Message}";
}

/// <summary>
/// An oracle for provisioning results, written from Kubernetes/Karpenter semantics independently of the
/// solver. Every check is sound (a real Karpenter plan never violates it); some are deliberately weaker
/// than Karpenter's own invariants where the exact rule depends on incidental choices.
/// </summary>
public sealed class PlanChecker
{
    private const double Epsilon = 1e-9;

    private readonly SchedulingInput _input;
    private readonly SchedulingResult _result;
    private readonly SolverOptions _options;
    private readonly List<Violation> _violations = [];
    private readonly Dictionary<string, InstanceType> _types;
    private readonly Dictionary<string, NodePool> _pools;
    private readonly List<V1Pod> _pending;
    private readonly Dictionary<string, V1Pod> _pendingByKey;
    private readonly List<Host> _hosts = [];
    private readonly HashSet<string> _selfAffinityChecked = [];

    private PlanChecker(SchedulingInput input, SchedulingResult result, SolverOptions? options)
    {
        _input = input;
        _result = result;
        _options = options ?? SolverOptions.Default;
        _types = input.Catalog.InstanceTypes.ToDictionary(t => t.Name);
        var pools = input.NodePools.Count > 0 ? input.NodePools : [new NodePool { Name = "default" }];
        _pools = pools.ToDictionary(p => p.Name);
        _pending = [.. input.Pods.Where(p => !PodFacts.IsBound(p))];
        _pendingByKey = _pending.ToDictionary(PodFacts.Key);
    }

    public static IReadOnlyList<Violation> Check(SchedulingInput input, SchedulingResult result, SolverOptions? options = null)
    {
        var checker = new PlanChecker(input, result, options);
        checker.Run();
        return checker._violations;
    }

    /// <summary>Fails with every violation of the given kinds (all kinds when none are given).</summary>
    public static void AssertValid(SchedulingInput input, SchedulingResult result, SolverOptions? options = null, params ViolationKind[] kinds)
    {
        var found = Check(input, result, options).Where(v => kinds.Length == 0 || kinds.Contains(v.Kind)).ToList();
        Assert.True(found.Count == 0, "plan violations:\n" + string.Join("\n", found) + "\n--- result ---\n" + Outcome.Canonical(result));
    }

    /// <summary>Resources of every DaemonSet whose pod would run on a node with these labels and taints.</summary>
    public static ResourceAmounts DaemonOverhead(SchedulingInput input, IReadOnlyDictionary<string, string> labels, IEnumerable<V1Taint> taints)
    {
        var total = ResourceAmounts.Zero;
        foreach (var ds in input.DaemonSets)
        {
            var spec = ds.Spec.Template.Spec;
            if (PodFacts.ToleratesAll(spec.Tolerations, taints) && PodFacts.MatchesNode(spec, labels))
            {
                total += PodFacts.Requests(spec);
            }
        }

        return total;
    }

    /// <summary>Labels of a node launched from a pool with this type and offering.</summary>
    public static Dictionary<string, string> NodeLabels(NodePool pool, InstanceType type, string zone, string capacityType)
    {
        var labels = new Dictionary<string, string>(type.Labels)
        {
            [WellKnownLabels.InstanceType] = type.Name,
            [WellKnownLabels.Zone] = zone,
            [WellKnownLabels.CapacityType] = capacityType,
            [WellKnownLabels.NodePool] = pool.Name,
        };
        foreach (var (k, v) in pool.Labels)
        {
            labels[k] = v;
        }

        return labels;
    }

    /// <summary>True when a node with these labels satisfies the NodePool's requirements.</summary>
    public static bool SatisfiesPool(NodePool pool, IReadOnlyDictionary<string, string> labels) =>
        pool.Requirements.All(r => RequirementHolds(r, labels));

    public static bool RequirementHolds(NodeSelectorRequirementWithMinValues r, IReadOnlyDictionary<string, string> labels)
    {
        var has = labels.TryGetValue(r.Key, out var v);
        long? n = has && long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
        long Bound() => long.Parse(r.Values[0], CultureInfo.InvariantCulture);
        return r.Operator switch
        {
            RequirementOperator.In => has && r.Values.Contains(v!),
            RequirementOperator.NotIn => !has || !r.Values.Contains(v!),
            RequirementOperator.Exists => has,
            RequirementOperator.DoesNotExist => !has,
            RequirementOperator.Gt => n is { } a && a > Bound(),
            RequirementOperator.Gte => n is { } b && b >= Bound(),
            RequirementOperator.Lt => n is { } c && c < Bound(),
            RequirementOperator.Lte => n is { } d && d <= Bound(),
            _ => false,
        };
    }

    private void Add(ViolationKind kind, string message) => _violations.Add(new Violation(kind, message));

    private void Run()
    {
        CheckAccounting();
        BuildHosts();
        CheckFit();
        CheckPlacement();
        CheckOfferings();
        CheckLimits();
        CheckCompleteness();
    }

    private void CheckAccounting()
    {
        var seen = new Dictionary<string, int>();
        void Count(string key, string where)
        {
            seen[key] = seen.GetValueOrDefault(key) + 1;
            if (!_pendingByKey.ContainsKey(key))
            {
                Add(ViolationKind.Accounting, $"{where} lists {key}, which is not a pending pod of the input");
            }
        }

        var claimNames = new HashSet<string>();
        foreach (var c in _result.NodeClaims)
        {
            if (string.IsNullOrEmpty(c.Name) || !claimNames.Add(c.Name))
            {
                Add(ViolationKind.Accounting, $"claim name '{c.Name}' is empty or duplicated");
            }

            if (c.Pods.Count == 0)
            {
                Add(ViolationKind.Accounting, $"claim {c.Name} has no pods");
            }

            foreach (var p in c.Pods)
            {
                Count(p, $"claim {c.Name}");
            }
        }

        var nodeNames = _input.Nodes.Select(n => n.Metadata.Name).ToHashSet();
        foreach (var n in _result.ExistingNodes)
        {
            if (!nodeNames.Contains(n.Name))
            {
                Add(ViolationKind.Accounting, $"existing-node placement names unknown node {n.Name}");
            }

            foreach (var p in n.Pods)
            {
                Count(p, $"existing node {n.Name}");
            }
        }

        foreach (var u in _result.Unschedulable)
        {
            Count(u.Pod, "unschedulable");
            if (string.IsNullOrWhiteSpace(u.Reason))
            {
                Add(ViolationKind.Accounting, $"unschedulable {u.Pod} has no reason");
            }
        }

        foreach (var key in _pendingByKey.Keys)
        {
            var n = seen.GetValueOrDefault(key);
            if (n != 1)
            {
                Add(ViolationKind.Accounting, $"pending pod {key} appears {n} times (placed or unschedulable must be exactly once)");
            }
        }

        var placed = _result.NodeClaims.Sum(c => c.Pods.Count) + _result.ExistingNodes.Sum(n => n.Pods.Count);
        var s = _result.Summary;
        if (s.Pods != _pending.Count || s.Scheduled != placed || s.Unschedulable != _result.Unschedulable.Count || s.NodeClaims != _result.NodeClaims.Count)
        {
            Add(ViolationKind.Accounting, $"summary {s.Pods}/{s.Scheduled}/{s.Unschedulable}/{s.NodeClaims} disagrees with result {_pending.Count}/{placed}/{_result.Unschedulable.Count}/{_result.NodeClaims.Count}");
        }

        var price = _result.NodeClaims.Sum(c => c.PricePerHour);
        if (Math.Abs(s.PricePerHour - price) > 1e-6)
        {
            Add(ViolationKind.Accounting, $"summary price {s.PricePerHour} differs from the claims' total {price}");
        }
    }

    private void BuildHosts()
    {
        var bound = _input.Pods.Where(PodFacts.IsBound).ToLookup(p => p.Spec.NodeName);
        var newOnNode = _result.ExistingNodes.ToLookup(n => n.Name, n => n.Pods);
        foreach (var node in _input.Nodes)
        {
            var name = node.Metadata.Name;
            var fresh = newOnNode[name].SelectMany(x => x).Where(_pendingByKey.ContainsKey).Select(k => _pendingByKey[k]).ToList();
            _hosts.Add(new Host(
                name,
                node.Metadata.Labels?.ToDictionary() ?? [],
                node.Spec?.Taints ?? [],
                [.. bound[name], .. fresh],
                fresh,
                null,
                null,
                ResourceAmounts.FromQuantities(node.Status?.Allocatable)));
        }

        foreach (var c in _result.NodeClaims)
        {
            var fresh = c.Pods.Where(_pendingByKey.ContainsKey).Select(k => _pendingByKey[k]).ToList();
            if (!_pools.TryGetValue(c.NodePool, out var pool))
            {
                Add(ViolationKind.Placement, $"claim {c.Name} names unknown NodePool {c.NodePool}");
                continue;
            }

            if (!_types.TryGetValue(c.InstanceType, out var type))
            {
                Add(ViolationKind.Offering, $"claim {c.Name} launches unknown instance type {c.InstanceType}");
                continue;
            }

            var labels = NodeLabels(pool, type, c.Zone, c.CapacityType);
            foreach (var (k, v) in labels.Where(l => l.Key != WellKnownLabels.Hostname))
            {
                if (!type.Labels.ContainsKey(k) && (!c.Labels.TryGetValue(k, out var actual) || actual != v))
                {
                    Add(ViolationKind.Placement, $"claim {c.Name} should carry label {k}={v}, has {(c.Labels.TryGetValue(k, out var a) ? a : "(none)")}");
                }
            }

            foreach (var (k, v) in c.Labels)
            {
                labels[k] = v;
            }

            _hosts.Add(new Host(c.Name, labels, pool.Taints, fresh, fresh, c, pool, ResourceAmounts.FromCatalog(type.Allocatable)));
        }
    }

    private void CheckFit()
    {
        foreach (var h in _hosts)
        {
            var sum = ResourceAmounts.Sum(h.Pods.Select(PodFacts.Requests));
            if (h.Claim is null)
            {
                if (h.NewPods.Count > 0 && !sum.FitsIn(h.Allocatable))
                {
                    Add(ViolationKind.Fit, $"existing node {h.Name}: bound + new pod requests {sum} exceed allocatable {h.Allocatable}");
                }

                continue;
            }

            var claim = h.Claim;
            var need = sum + DaemonOverhead(_input, h.Labels, h.Pool!.Taints);
            if (!need.FitsIn(h.Allocatable))
            {
                Add(ViolationKind.Fit, $"claim {claim.Name} ({claim.InstanceType}): pods + daemonset overhead {need} exceed allocatable {h.Allocatable}");
            }

            var claimed = ResourceAmounts.FromCatalog(claim.Requests);
            if (new[] { ResourceNames.Cpu, ResourceNames.Memory, ResourceNames.Pods }.Any(r => claimed[r] < sum[r]))
            {
                Add(ViolationKind.Fit, $"claim {claim.Name}: requests {claim.Requests} are below its pods' total {sum}");
            }

            foreach (var option in claim.InstanceTypeOptions)
            {
                if (!_types.TryGetValue(option, out var t))
                {
                    Add(ViolationKind.Offering, $"claim {claim.Name}: option {option} is not in the catalog");
                    continue;
                }

                var labels = NodeLabels(h.Pool, t, claim.Zone, claim.CapacityType);
                var optionNeed = sum + DaemonOverhead(_input, labels, h.Pool.Taints);
                if (!optionNeed.FitsIn(ResourceAmounts.FromCatalog(t.Allocatable)))
                {
                    Add(ViolationKind.Fit, $"claim {claim.Name}: option {option} cannot hold its pods + overhead {optionNeed} (allocatable {t.Allocatable})");
                }
            }
        }
    }

    private void CheckPlacement()
    {
        foreach (var h in _hosts)
        {
            if (h.Claim is { } claim && h.Pool is { } pool)
            {
                if (!SatisfiesPool(pool, h.Labels))
                {
                    Add(ViolationKind.Placement, $"claim {claim.Name} ({claim.InstanceType}, {claim.Zone}, {claim.CapacityType}) violates NodePool {pool.Name} requirements");
                }

                foreach (var t in pool.Taints)
                {
                    if (!claim.Taints.Any(ct => ct.Key == t.Key && ct.Value == t.Value && ct.Effect == t.Effect))
                    {
                        Add(ViolationKind.Placement, $"claim {claim.Name} lacks NodePool taint {t.Key}={t.Value}:{t.Effect}");
                    }
                }
            }

            foreach (var p in h.NewPods)
            {
                if (!PodFacts.MatchesNode(p, h.Labels))
                {
                    Add(ViolationKind.Placement, $"{PodFacts.Key(p)} on {h.Name}: nodeSelector/required node affinity not satisfied");
                }

                if (!PodFacts.ToleratesAll(p.Spec.Tolerations, h.Taints))
                {
                    Add(ViolationKind.Placement, $"{PodFacts.Key(p)} on {h.Name}: does not tolerate the node's taints");
                }
            }

            var isNew = h.NewPods.ToHashSet();
            foreach (var p in h.Pods)
            {
                foreach (var term in PodFacts.RequiredAntiAffinity(p).Where(t => t.TopologyKey == WellKnownLabels.Hostname))
                {
                    foreach (var q in h.Pods.Where(q => !ReferenceEquals(q, p) && (isNew.Contains(p) || isNew.Contains(q))))
                    {
                        if (PodFacts.Selects(term.LabelSelector, PodFacts.Namespace(p), q))
                        {
                            Add(ViolationKind.Placement, $"{PodFacts.Key(q)} shares {h.Name} with {PodFacts.Key(p)}, whose hostname anti-affinity selects it");
                        }
                    }
                }
            }

            var ports = new Dictionary<(int, string), V1Pod>();
            foreach (var p in h.Pods)
            {
                foreach (var port in PodFacts.HostPorts(p).Distinct())
                {
                    if (ports.TryGetValue(port, out var other) && (isNew.Contains(p) || isNew.Contains(other)))
                    {
                        Add(ViolationKind.Placement, $"{PodFacts.Key(p)} and {PodFacts.Key(other)} both use host port {port.Item1}/{port.Item2} on {h.Name}");
                    }

                    ports.TryAdd(port, p);
                }
            }
        }

        CheckZoneAffinity();
        CheckSpread();
    }

    private void CheckZoneAffinity()
    {
        var placed = _hosts.SelectMany(h => h.Pods.Select(p => (Pod: p, Host: h))).ToList();
        var fresh = _hosts.SelectMany(h => h.NewPods).ToHashSet();
        foreach (var (p, h) in placed)
        {
            foreach (var term in PodFacts.RequiredAntiAffinity(p).Where(t => t.TopologyKey != WellKnownLabels.Hostname))
            {
                var domain = h.Labels.GetValueOrDefault(term.TopologyKey);
                foreach (var (q, g) in placed)
                {
                    if (!ReferenceEquals(p, q) && (fresh.Contains(p) || fresh.Contains(q)) && domain is not null &&
                        g.Labels.GetValueOrDefault(term.TopologyKey) == domain && PodFacts.Selects(term.LabelSelector, PodFacts.Namespace(p), q))
                    {
                        Add(ViolationKind.Placement, $"{PodFacts.Key(q)} is in {term.TopologyKey}={domain} with {PodFacts.Key(p)}, whose anti-affinity selects it");
                    }
                }
            }

            if (!fresh.Contains(p))
            {
                continue;
            }

            foreach (var term in PodFacts.RequiredAffinity(p))
            {
                CheckSelfAffinityGroup(p, term, placed);
                var domain = term.TopologyKey == WellKnownLabels.Hostname ? h.Name : h.Labels.GetValueOrDefault(term.TopologyKey);
                var satisfied = placed.Any(x =>
                    (term.TopologyKey == WellKnownLabels.Hostname ? x.Host.Name : x.Host.Labels.GetValueOrDefault(term.TopologyKey)) == domain &&
                    PodFacts.Selects(term.LabelSelector, PodFacts.Namespace(p), x.Pod));
                if (domain is null || !satisfied)
                {
                    Add(ViolationKind.Placement, $"{PodFacts.Key(p)} on {h.Name}: required pod affinity ({term.TopologyKey}) has no matching pod in its domain");
                }
            }
        }
    }

    // Pods that share one self-selecting affinity term, and are the only pods it selects, end up in one domain:
    // once the first is placed, every later one must join a domain that already holds a match.
    private void CheckSelfAffinityGroup(V1Pod p, V1PodAffinityTerm term, List<(V1Pod Pod, Host Host)> placed)
    {
        var ns = PodFacts.Namespace(p);
        if (!PodFacts.Selects(term.LabelSelector, ns, p))
        {
            return;
        }

        var selected = _input.Pods.Where(q => PodFacts.Selects(term.LabelSelector, ns, q)).ToList();
        var sameTerm = selected.Where(q => !PodFacts.IsBound(q) && PodFacts.RequiredAffinity(q).Any(t => SameTerm(t, term))).ToList();
        if (sameTerm.Count != selected.Count || !_selfAffinityChecked.Add(PodFacts.Key(sameTerm[0]) + "|" + term.TopologyKey))
        {
            return;
        }

        var members = sameTerm.ToHashSet();
        var domains = placed
            .Where(x => members.Contains(x.Pod))
            .Select(x => term.TopologyKey == WellKnownLabels.Hostname ? x.Host.Name : x.Host.Labels.GetValueOrDefault(term.TopologyKey))
            .Distinct()
            .ToList();
        if (domains.Count > 1)
        {
            Add(ViolationKind.Placement, $"self pod affinity ({term.TopologyKey}) of {PodFacts.Key(p)}'s group is split across {string.Join(", ", domains)}");
        }

        static bool SameTerm(V1PodAffinityTerm a, V1PodAffinityTerm b) =>
            a.TopologyKey == b.TopologyKey &&
            (a.LabelSelector?.MatchLabels ?? new Dictionary<string, string>()).OrderBy(x => x.Key).SequenceEqual((b.LabelSelector?.MatchLabels ?? new Dictionary<string, string>()).OrderBy(x => x.Key));
    }

    // Sound form of maxSkew for DoNotSchedule: a domain that received a pod of the group holds at most
    // (min over domains known to be eligible) + maxSkew matching pods; for hostname the minimum is 0.
    private void CheckSpread()
    {
        var checkedGroups = new HashSet<string>();
        foreach (var h in _hosts)
        {
            foreach (var p in h.NewPods)
            {
                foreach (var c in p.Spec.TopologySpreadConstraints ?? [])
                {
                    if (c.WhenUnsatisfiable != "DoNotSchedule")
                    {
                        continue;
                    }

                    var ns = PodFacts.Namespace(p);
                    var signature = Signature(p, c);
                    var members = _pending.Where(q => PodFacts.Selects(c.LabelSelector, ns, q)).ToList();
                    if (members.Any(q => !(q.Spec.TopologySpreadConstraints ?? []).Any(qc => Signature(q, qc) == signature)))
                    {
                        continue;
                    }

                    var eligible = _hosts.Where(x => PodFacts.MatchesNode(p, x.Labels)).ToList();
                    int CountOn(Host x) => x.Pods.Count(q => PodFacts.Selects(c.LabelSelector, ns, q));
                    if (c.TopologyKey == WellKnownLabels.Hostname)
                    {
                        var n = CountOn(h);
                        if (n > c.MaxSkew && checkedGroups.Add(signature + "@" + h.Name))
                        {
                            Add(ViolationKind.Placement, $"hostname spread (maxSkew {c.MaxSkew}) of {PodFacts.Key(p)}: {h.Name} holds {n} matching pods");
                        }

                        continue;
                    }

                    var domain = h.Labels.GetValueOrDefault(c.TopologyKey);
                    if (domain is null || !checkedGroups.Add(signature + "@" + domain))
                    {
                        continue;
                    }

                    var counts = eligible
                        .Where(x => x.Labels.ContainsKey(c.TopologyKey))
                        .GroupBy(x => x.Labels[c.TopologyKey])
                        .ToDictionary(g => g.Key, g => g.Sum(CountOn));

                    // Zones with no node yet count too (with no pods) when a new node there could take the pod
                    // alone: the solver weighs every zone it could launch into.
                    if (c.TopologyKey == WellKnownLabels.Zone)
                    {
                        foreach (var z in LaunchableZones(p).Where(z => !counts.ContainsKey(z)))
                        {
                            counts[z] = 0;
                        }
                    }
                    var min = counts.Values.DefaultIfEmpty(0).Min();
                    if (counts.GetValueOrDefault(domain) > min + c.MaxSkew)
                    {
                        Add(ViolationKind.Placement, $"{c.TopologyKey} spread (maxSkew {c.MaxSkew}) of {PodFacts.Key(p)}: counts {string.Join(", ", counts.OrderBy(x => x.Key).Select(x => $"{x.Key}={x.Value}"))}");
                    }
                }
            }
        }

        static string Signature(V1Pod pod, V1TopologySpreadConstraint c) => string.Join(
            ";",
            c.TopologyKey,
            c.MaxSkew,
            c.WhenUnsatisfiable,
            c.MinDomains,
            PodFacts.Namespace(pod),
            string.Join(",", (c.LabelSelector?.MatchLabels ?? new Dictionary<string, string>()).OrderBy(x => x.Key).Select(x => $"{x.Key}={x.Value}")),
            string.Join(",", (pod.Spec.NodeSelector ?? new Dictionary<string, string>()).OrderBy(x => x.Key).Select(x => $"{x.Key}={x.Value}")),
            pod.Spec.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution is null ? "-" : "affinity:" + PodFacts.Key(pod));
    }

    // Zones where some NodePool the pod tolerates has an available offering of a type that holds it alone.
    private HashSet<string> LaunchableZones(V1Pod pod)
    {
        var requests = PodFacts.Requests(pod);
        return [.. _pools.Values
            .Where(pool => PodFacts.ToleratesAll(pod.Spec.Tolerations, pool.Taints))
            .SelectMany(pool => _input.Catalog.InstanceTypes.SelectMany(t => t.Offerings.Where(o => o.Available).Select(o => (Pool: pool, Type: t, Offering: o))))
            .Where(x =>
            {
                var labels = NodeLabels(x.Pool, x.Type, x.Offering.Zone, x.Offering.CapacityType);
                return SatisfiesPool(x.Pool, labels) && PodFacts.MatchesNode(pod, labels) &&
                    (requests + DaemonOverhead(_input, labels, x.Pool.Taints)).FitsIn(ResourceAmounts.FromCatalog(x.Type.Allocatable));
            })
            .Select(x => x.Offering.Zone)];
    }

    private void CheckOfferings()
    {
        foreach (var h in _hosts.Where(h => h.Claim is not null))
        {
            var claim = h.Claim!;
            var pool = h.Pool!;
            var type = _types[claim.InstanceType];
            var offering = type.Offerings.FirstOrDefault(o => o.Zone == claim.Zone && o.CapacityType == claim.CapacityType);
            if (offering is null || !offering.Available)
            {
                Add(ViolationKind.Offering, $"claim {claim.Name}: {claim.InstanceType} has no available offering {claim.Zone}/{claim.CapacityType}");
                continue;
            }

            if (Math.Abs(offering.Price - claim.PricePerHour) > Epsilon)
            {
                Add(ViolationKind.Offering, $"claim {claim.Name}: price {claim.PricePerHour} differs from the offering's {offering.Price}");
            }

            var options = claim.InstanceTypeOptions;
            if (!options.Contains(claim.InstanceType))
            {
                Add(ViolationKind.Offering, $"claim {claim.Name}: launched type {claim.InstanceType} is not among its options");
            }

            if (options.Distinct().Count() != options.Count || options.Count > _options.MaxInstanceTypes)
            {
                Add(ViolationKind.Offering, $"claim {claim.Name}: options must be distinct and at most {_options.MaxInstanceTypes} ({options.Count})");
            }

            var pinZone = h.NewPods.Any(p => TopologyKeys(p).Contains(WellKnownLabels.Zone));
            var pinCapacity = h.NewPods.Any(p => TopologyKeys(p).Contains(WellKnownLabels.CapacityType));

            // Inverse zonal anti-affinity excludes the zones of the pods that repel these; the exact set depends on
            // placement order, so only the cheapest-launch check (over a subset) is made, not the ordering check.
            var repelled = h.NewPods.Any(RepelledFromZones);
            var excludedZones = repelled ? RepellingZones(h.NewPods) : [];
            double? Cheapest(InstanceType t) => t.Offerings
                .Where(o => o.Available && (!pinZone || o.Zone == claim.Zone) && (!pinCapacity || o.CapacityType == claim.CapacityType) && !excludedZones.Contains(o.Zone))
                .Where(o =>
                {
                    var labels = NodeLabels(pool, t, o.Zone, o.CapacityType);
                    return SatisfiesPool(pool, labels) && h.NewPods.All(p => PodFacts.MatchesNode(p, labels));
                })
                .Select(o => (double?)o.Price)
                .Min();

            var prices = new List<double>();
            foreach (var option in options.Where(_types.ContainsKey))
            {
                var price = Cheapest(_types[option]);
                if (price is null && repelled)
                {
                    continue;
                }

                if (price is null)
                {
                    Add(ViolationKind.Offering, $"claim {claim.Name}: option {option} has no available offering compatible with the claim");
                    continue;
                }

                prices.Add(price.Value);
            }

            for (var i = 1; i < prices.Count && !repelled; i++)
            {
                if (prices[i] < prices[i - 1] - Epsilon)
                {
                    Add(ViolationKind.Offering, $"claim {claim.Name}: options are not cheapest-first: {string.Join(", ", options.Zip(prices, (o, p) => $"{o}={p}"))}");
                    break;
                }
            }

            if (prices.Count > 0 && claim.PricePerHour > prices.Min() + Epsilon)
            {
                Add(ViolationKind.Offering, $"claim {claim.Name}: launched at {claim.PricePerHour} but an option offers {prices.Min()}");
            }
        }
    }

    private void CheckLimits()
    {
        foreach (var pool in _pools.Values)
        {
            var claims = _result.NodeClaims.Where(c => c.NodePool == pool.Name && _types.ContainsKey(c.InstanceType)).ToList();
            if (claims.Count == 0 || pool.Limits.Count == 0)
            {
                continue;
            }

            var (existingCount, existingUsage) = ExistingUsage(pool);
            if (NodeLimitOf(pool) is { } nodeLimit && existingCount + claims.Count > nodeLimit)
            {
                Add(ViolationKind.Limits, $"NodePool {pool.Name}: {existingCount} existing + {claims.Count} new nodes exceed limits.nodes={nodeLimit}");
            }

            var usage = existingUsage + ResourceAmounts.Sum(claims.Select(c => ResourceAmounts.FromCatalog(_types[c.InstanceType].Capacity)));
            var limit = ResourceLimitsOf(pool);
            foreach (var name in usage.ExceededIn(limit).Where(limit.Names.Contains))
            {
                Add(ViolationKind.Limits, $"NodePool {pool.Name}: {name} usage {ResourceAmounts.Format(usage[name])} exceeds limit {ResourceAmounts.Format(limit[name])}");
            }
        }
    }

    // limits.nodes as written, parsed here rather than through the NodePool's own accessors.
    private static decimal? NodeLimitOf(NodePool pool) =>
        pool.Limits.TryGetValue(ResourceNames.Nodes, out var n) ? new ResourceQuantity(n.Trim()).ToDecimal() : null;

    private static ResourceAmounts ResourceLimitsOf(NodePool pool) =>
        ResourceAmounts.FromStrings(pool.Limits.Where(l => l.Key != ResourceNames.Nodes));

    // Existing nodes of the pool count with their capacity (allocatable when no capacity is given).
    private (int Count, ResourceAmounts Usage) ExistingUsage(NodePool pool)
    {
        var existing = _input.Nodes.Where(n => n.Metadata.Labels is { } l && l.TryGetValue(WellKnownLabels.NodePool, out var np) && np == pool.Name).ToList();
        return (existing.Count, ResourceAmounts.Sum(existing.Select(n => ResourceAmounts.FromQuantities(n.Status?.Capacity ?? n.Status?.Allocatable))));
    }

    // A pod left unschedulable must be proven so: it is a violation when the checker finds a witness, a
    // fresh node of some (NodePool, instance type, available offering) that the pod alone could run on, within
    // what the plan leaves of the pool's limits, where no constraint of the pod or of the placed pods could
    // object. Constraints that depend on other pods are judged only where the plan makes the answer certain;
    // otherwise the offering is not a witness (so the check never blames a correct plan).
    private void CheckCompleteness()
    {
        var placed = _hosts.SelectMany(h => h.Pods.Select(p => (Pod: p, Host: h))).ToList();
        var zones = _hosts.ToDictionary(h => h.Name, PossibleZones);
        foreach (var u in _result.Unschedulable)
        {
            if (!_pendingByKey.TryGetValue(u.Pod, out var pod))
            {
                continue;
            }

            if (Witness(pod, placed, zones) is { } home)
            {
                Add(ViolationKind.Completeness, $"{u.Pod} is unschedulable ({u.Reason}) but fits alone on a new {home}");
            }
            else if (RoomWitness(pod) is { } host)
            {
                Add(ViolationKind.Completeness, $"{u.Pod} is unschedulable ({u.Reason}) but fits in the room left on {host}");
            }
        }
    }

    // A pod without pod topology (no pod affinity, anti-affinity or spread, and no other pod's anti-affinity
    // selects it) fits on a node or claim of the plan whose room, selectors, taints and host ports allow it.
    private string? RoomWitness(V1Pod pod)
    {
        var a = pod.Spec.Affinity;
        if (a?.PodAffinity?.RequiredDuringSchedulingIgnoredDuringExecution is { Count: > 0 } ||
            a?.PodAntiAffinity?.RequiredDuringSchedulingIgnoredDuringExecution is { Count: > 0 } ||
            (pod.Spec.TopologySpreadConstraints ?? []).Any(c => c.WhenUnsatisfiable == "DoNotSchedule") ||
            _input.Pods.Any(q => !ReferenceEquals(q, pod) && PodFacts.RequiredAntiAffinity(q).Any(t => PodFacts.Selects(t.LabelSelector, PodFacts.Namespace(q), pod))))
        {
            return null;
        }

        var requests = PodFacts.Requests(pod);
        var ports = PodFacts.HostPorts(pod).ToHashSet();
        foreach (var h in _hosts.Where(h => PodFacts.MatchesNode(pod, h.Labels) && PodFacts.ToleratesAll(pod.Spec.Tolerations, h.Taints)))
        {
            // DaemonSet pods are counted on existing nodes too: their bound pods need not list them.
            var overhead = DaemonOverhead(_input, h.Labels, h.Taints);
            var used = h.Pods.SelectMany(PodFacts.HostPorts).Concat(DaemonHostPorts(h.Labels, h.Taints));
            if ((ResourceAmounts.Sum(h.Pods.Select(PodFacts.Requests)) + overhead + requests).FitsIn(h.Allocatable) && !used.Any(ports.Contains))
            {
                return h.Claim is null ? $"existing node {h.Name}" : $"claim {h.Name} ({h.Claim.InstanceType})";
            }
        }

        return null;
    }

    private string? Witness(V1Pod pod, List<(V1Pod Pod, Host Host)> placed, Dictionary<string, HashSet<string>> zones)
    {
        var ns = PodFacts.Namespace(pod);

        // Hostname pod affinity holds on a fresh node only for the first pod of a self-selecting group.
        foreach (var term in PodFacts.RequiredAffinity(pod).Where(t => t.TopologyKey == WellKnownLabels.Hostname))
        {
            if (placed.Any(x => PodFacts.Selects(term.LabelSelector, ns, x.Pod)) || !PodFacts.Selects(term.LabelSelector, ns, pod))
            {
                return null;
            }
        }

        var requests = PodFacts.Requests(pod);
        foreach (var pool in _pools.Values.Where(p => p.Requirements.All(r => r.MinValues is null) && PodFacts.ToleratesAll(pod.Spec.Tolerations, p.Taints)))
        {
            var claims = _result.NodeClaims.Where(c => c.NodePool == pool.Name && _types.ContainsKey(c.InstanceType)).ToList();
            var (existingCount, existingUsage) = ExistingUsage(pool);
            if (NodeLimitOf(pool) is { } nodeLimit && existingCount + claims.Count + 1 > nodeLimit)
            {
                continue;
            }

            var limit = ResourceLimitsOf(pool);
            var used = existingUsage + ResourceAmounts.Sum(claims.Select(c => ResourceAmounts.FromCatalog(_types[c.InstanceType].Capacity)));
            foreach (var type in _input.Catalog.InstanceTypes)
            {
                if ((used + ResourceAmounts.FromCatalog(type.Capacity)).ExceededIn(limit).Any(limit.Names.Contains))
                {
                    continue;
                }

                foreach (var o in type.Offerings.Where(o => o.Available))
                {
                    var labels = NodeLabels(pool, type, o.Zone, o.CapacityType);
                    if (SatisfiesPool(pool, labels) && PodFacts.MatchesNode(pod, labels) &&
                        (requests + DaemonOverhead(_input, labels, pool.Taints)).FitsIn(ResourceAmounts.FromCatalog(type.Allocatable)) &&
                        !DaemonHostPorts(labels, pool.Taints).Overlaps(PodFacts.HostPorts(pod)) &&
                        ZoneAdmits(pod, o.Zone, placed, zones))
                    {
                        return $"{type.Name} node from NodePool {pool.Name} in {o.Zone}/{o.CapacityType}";
                    }
                }
            }
        }

        return null;
    }

    // Whether the pod's (and the placed pods') topology constraints certainly allow it on a fresh node in this
    // zone. While a claim is planned its zone may be open (it is pinned only once a pod with zone topology
    // joins), and the solver counts its pods in every zone it could still land in: so repelling pods of a
    // claim count in every zone its NodePool allows, attracting ones only on a pinned claim.
    private static bool ZoneAdmits(V1Pod pod, string zone, List<(V1Pod Pod, Host Host)> placed, Dictionary<string, HashSet<string>> zones)
    {
        var ns = PodFacts.Namespace(pod);
        var mayBeInZone = placed.Where(x => zones[x.Host.Name].Contains(zone)).ToList();
        var surelyInZone = placed.Where(x => x.Host.Labels.GetValueOrDefault(WellKnownLabels.Zone) == zone && (x.Host.Claim is null || PinsZone(x.Host))).ToList();
        var known = new[] { WellKnownLabels.Hostname, WellKnownLabels.Zone };

        // Own anti-affinity, and any placed pod's non-hostname anti-affinity that selects this pod.
        foreach (var term in PodFacts.RequiredAntiAffinity(pod).Where(t => t.TopologyKey != WellKnownLabels.Hostname))
        {
            if (term.TopologyKey != WellKnownLabels.Zone || mayBeInZone.Any(x => PodFacts.Selects(term.LabelSelector, ns, x.Pod)))
            {
                return false;
            }
        }

        foreach (var (q, h) in placed)
        {
            foreach (var term in PodFacts.RequiredAntiAffinity(q).Where(t => t.TopologyKey != WellKnownLabels.Hostname && PodFacts.Selects(t.LabelSelector, PodFacts.Namespace(q), pod)))
            {
                if (term.TopologyKey != WellKnownLabels.Zone || zones[h.Name].Contains(zone))
                {
                    return false;
                }
            }
        }

        // Zonal pod affinity: a selected pod in the zone, or none placed anywhere and the pod selects itself.
        foreach (var term in PodFacts.RequiredAffinity(pod).Where(t => t.TopologyKey != WellKnownLabels.Hostname))
        {
            var anywhere = placed.Any(x => PodFacts.Selects(term.LabelSelector, ns, x.Pod));
            if (term.TopologyKey != WellKnownLabels.Zone ||
                (anywhere ? !surelyInZone.Any(x => PodFacts.Selects(term.LabelSelector, ns, x.Pod)) : !PodFacts.Selects(term.LabelSelector, ns, pod)))
            {
                return false;
            }
        }

        // Spread: the fresh node (or the zone) holds count + 1 matching pods; within maxSkew whatever the
        // minimum over the domains is, since that minimum is at least 0.
        foreach (var c in (pod.Spec.TopologySpreadConstraints ?? []).Where(c => c.WhenUnsatisfiable == "DoNotSchedule"))
        {
            var count = c.TopologyKey == WellKnownLabels.Zone ? mayBeInZone.Count(x => PodFacts.Selects(c.LabelSelector, ns, x.Pod)) : 0;
            if (!known.Contains(c.TopologyKey) || c.MinDomains is > 1 || count + 1 > c.MaxSkew)
            {
                return false;
            }
        }

        return true;
    }

    private static bool PinsZone(Host h) => h.NewPods.Any(p => TopologyKeys(p).Contains(WellKnownLabels.Zone));

    // The zone of a node; for a claim, every zone its NodePool allows.
    private HashSet<string> PossibleZones(Host h)
    {
        var zone = h.Labels.GetValueOrDefault(WellKnownLabels.Zone);
        HashSet<string> result = zone is null ? [] : [zone];
        if (h.Claim is null || h.Pool is not { } pool)
        {
            return result;
        }

        // The solver counts such pods in every zone the claim's requirements allowed when they were added, and
        // those may have been wider than the final options: take every zone the NodePool allows.
        var zoneRules = pool.Requirements.Where(r => r.Key == WellKnownLabels.Zone).ToList();
        result.UnionWith(_input.Catalog.InstanceTypes.SelectMany(t => t.Offerings).Select(o => o.Zone)
            .Where(z => zoneRules.All(r => RequirementHolds(r, new Dictionary<string, string> { [WellKnownLabels.Zone] = z }))));

        return result;
    }

    private HashSet<(int Port, string Protocol)> DaemonHostPorts(IReadOnlyDictionary<string, string> labels, IEnumerable<V1Taint> taints) =>
        [.. _input.DaemonSets
            .Select(ds => ds.Spec.Template.Spec)
            .Where(spec => PodFacts.ToleratesAll(spec.Tolerations, taints) && PodFacts.MatchesNode(spec, labels))
            .SelectMany(spec => spec.Containers ?? [])
            .SelectMany(c => c.Ports ?? [])
            .Where(p => p.HostPort is > 0)
            .Select(p => (p.HostPort!.Value, p.Protocol ?? "TCP"))];

    private static HashSet<string> TopologyKeys(V1Pod p)
    {
        var keys = (p.Spec.TopologySpreadConstraints ?? []).Select(c => c.TopologyKey).ToHashSet();
        var a = p.Spec.Affinity;
        foreach (var t in (a?.PodAffinity?.RequiredDuringSchedulingIgnoredDuringExecution ?? [])
            .Concat(a?.PodAntiAffinity?.RequiredDuringSchedulingIgnoredDuringExecution ?? [])
            .Concat((a?.PodAffinity?.PreferredDuringSchedulingIgnoredDuringExecution ?? []).Select(w => w.PodAffinityTerm))
            .Concat((a?.PodAntiAffinity?.PreferredDuringSchedulingIgnoredDuringExecution ?? []).Select(w => w.PodAffinityTerm)))
        {
            keys.Add(t.TopologyKey);
        }

        return keys;
    }

    // Zones holding a pod whose required zonal anti-affinity selects one of these pods.
    private HashSet<string> RepellingZones(List<V1Pod> pods) =>
        [.. _hosts
            .Where(x => x.Labels.ContainsKey(WellKnownLabels.Zone))
            .Where(x => x.Pods.Any(q => PodFacts.RequiredAntiAffinity(q).Any(t =>
                t.TopologyKey == WellKnownLabels.Zone && pods.Any(p => !ReferenceEquals(p, q) && PodFacts.Selects(t.LabelSelector, PodFacts.Namespace(q), p)))))
            .Select(x => x.Labels[WellKnownLabels.Zone])];

    // Another pod's required non-hostname anti-affinity selects this pod (inverse anti-affinity keeps it out of zones).
    private bool RepelledFromZones(V1Pod pod) =>
        _input.Pods.Any(q => !ReferenceEquals(q, pod) &&
            PodFacts.RequiredAntiAffinity(q).Any(t => t.TopologyKey != WellKnownLabels.Hostname && PodFacts.Selects(t.LabelSelector, PodFacts.Namespace(q), pod)));

    private sealed record Host(
        string Name,
        Dictionary<string, string> Labels,
        IEnumerable<V1Taint> Taints,
        List<V1Pod> Pods,
        List<V1Pod> NewPods,
        PlannedNodeClaim? Claim,
        NodePool? Pool,
        ResourceAmounts Allocatable);
}
