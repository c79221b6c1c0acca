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
    public static ResourceVector DaemonOverhead(SchedulingInput input, IReadOnlyDictionary<string, string> labels, IEnumerable<V1Taint> taints)
    {
        var total = ResourceVector.Zero;
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
                ResourceVector.FromQuantities(node.Status?.Allocatable)));
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

            _hosts.Add(new Host(c.Name, labels, pool.Taints, fresh, fresh, c, pool, type.Allocatable));
        }
    }

    private void CheckFit()
    {
        foreach (var h in _hosts)
        {
            var sum = h.Pods.Aggregate(ResourceVector.Zero, (acc, p) => acc + PodFacts.Requests(p));
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

            if (claim.Requests.MilliCpu < sum.MilliCpu || claim.Requests.Memory < sum.Memory || claim.Requests.Pods < sum.Pods)
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
                if (!optionNeed.FitsIn(t.Allocatable))
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

        static HashSet<string> TopologyKeys(V1Pod p)
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

            var existing = _input.Nodes.Where(n => n.Metadata.Labels is { } l && l.TryGetValue(WellKnownLabels.NodePool, out var np) && np == pool.Name).ToList();
            if (pool.NodeLimit is { } nodeLimit && existing.Count + claims.Count > nodeLimit)
            {
                Add(ViolationKind.Limits, $"NodePool {pool.Name}: {existing.Count} existing + {claims.Count} new nodes exceed limits.nodes={nodeLimit}");
            }

            if (pool.LimitVector is not { } limit)
            {
                continue;
            }

            var usage = existing.Aggregate(ResourceVector.Zero, (acc, n) => acc + ResourceVector.FromQuantities(n.Status?.Capacity ?? n.Status?.Allocatable))
                + claims.Aggregate(ResourceVector.Zero, (acc, c) => acc + _types[c.InstanceType].Capacity);
            foreach (var (name, _) in pool.Limits.Where(l => l.Key != ResourceNames.Nodes))
            {
                if (usage.Get(name) > limit.Get(name))
                {
                    Add(ViolationKind.Limits, $"NodePool {pool.Name}: {name} usage {usage.Get(name)} exceeds limit {limit.Get(name)}");
                }
            }
        }
    }

    // A pod with no constraints at all must be placed when some untainted, unlimited NodePool has a type
    // that holds it (with that pool's DaemonSet overhead) in an available offering the pool allows.
    private void CheckCompleteness()
    {
        foreach (var u in _result.Unschedulable)
        {
            if (!_pendingByKey.TryGetValue(u.Pod, out var pod) || !IsPlain(pod))
            {
                continue;
            }

            var requests = PodFacts.Requests(pod);
            var home = _pools.Values
                .Where(p => p.Limits.Count == 0 && p.Requirements.All(r => r.MinValues is null) && PodFacts.ToleratesAll(null, p.Taints))
                .SelectMany(p => _input.Catalog.InstanceTypes.SelectMany(t => t.Offerings.Where(o => o.Available).Select(o => (Pool: p, Type: t, Offering: o))))
                .FirstOrDefault(x =>
                {
                    var labels = NodeLabels(x.Pool, x.Type, x.Offering.Zone, x.Offering.CapacityType);
                    return SatisfiesPool(x.Pool, labels) &&
                        (requests + DaemonOverhead(_input, labels, x.Pool.Taints)).FitsIn(x.Type.Allocatable);
                });
            if (home.Pool is not null)
            {
                Add(ViolationKind.Completeness, $"{u.Pod} has no constraints and fits {home.Type.Name} from NodePool {home.Pool.Name}, yet is unschedulable: {u.Reason}");
            }
        }

        bool IsPlain(V1Pod p) =>
            p.Spec.NodeSelector is not { Count: > 0 } && p.Spec.Affinity is null && p.Spec.TopologySpreadConstraints is not { Count: > 0 } &&
            !PodFacts.HostPorts(p).Any() && !RepelledFromZones(p);
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
        ResourceVector Allocatable);
}
