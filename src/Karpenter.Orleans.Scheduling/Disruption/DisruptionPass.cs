using System.Globalization;
using k8s;
using k8s.Models;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Provisioning;
using Karpenter.Orleans.Scheduling.Provisioning.Internal;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Disruption;

/// <summary>
/// One disruption pass over the working copy of the cluster: Karpenter's methods in order, each asked for
/// its next action; an action is applied to the copy and the methods are asked again, until none acts.
/// Budgets and PodDisruptionBudgets are read at the start of the pass and consumed by every action.
/// Evaluations that fail are not retried in the pass: actions only remove capacity or fill it, so a
/// consolidation that did not fit before does not fit after.
/// </summary>
internal sealed class DisruptionPass
{
    private static readonly InterruptionType[] Forceful = [InterruptionType.SpotInterruption, InterruptionType.ScheduledChange, InterruptionType.InstanceStopping];

    private readonly PlannerState _s;
    private readonly DisruptionOptions _o;
    private readonly Dictionary<string, int> _nodeCount = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _disrupting = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Pool, DisruptionReason Reason), int> _raw = [];
    private readonly List<(V1PodDisruptionBudget Pdb, LabelSelectorMatcher Matcher, string Ns)> _pdbs = [];
    private readonly int[] _pdbRemaining;
    private readonly HashSet<string> _goingAway = new(StringComparer.Ordinal);
    private readonly HashSet<string> _present = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BlockedNode> _failures = new(StringComparer.Ordinal);
    private readonly HashSet<string> _driftFailed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _rebalanceFailed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _singleFailed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Node, BlockedNode Block)> _shapeFailures = new(StringComparer.Ordinal);
    private readonly List<DisruptionAction> _actions = [];
    private readonly Dictionary<NodeEntry, (int Count, List<(string Key, bool DoNotDisrupt, List<int> Pdbs)> Pods)> _moving = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<NodeEntry, (int Count, double Cost)> _rescheduleCost = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<NodeEntry, (int Count, double Share)> _utilization = new(ReferenceEqualityComparer.Instance);
    private bool _multiDone;
    private bool _expirationDone;
    private bool _interruptionDone;
    private int _singleEvaluations;

    public DisruptionPass(PlannerState state, DisruptionOptions options)
    {
        _s = state;
        _o = options;
        foreach (var e in state.Nodes.Values)
        {
            _present.Add(e.Name);
            var c = e.Cluster;
            if (c.NodeClaim is null || c.NodePool is null || e.Launching)
            {
                continue;
            }

            if (c.Deleting || !IsReady(c.Node))
            {
                _disrupting[c.NodePool] = _disrupting.GetValueOrDefault(c.NodePool) + 1;
            }

            if (!c.Deleting && c.InitializedAt is not null)
            {
                _nodeCount[c.NodePool] = _nodeCount.GetValueOrDefault(c.NodePool) + 1;
            }

            if (Block(e, forceful: true) is null && (IsExpired(e) || c.Interruption?.Type is { } t && Forceful.Contains(t)))
            {
                _goingAway.Add(e.Name);
            }
        }

        var pods = state.AllPods.ToList();
        foreach (var pdb in state.Input.PodDisruptionBudgets)
        {
            _pdbs.Add((pdb, PodDisruptionBudgetAllowance.Matcher(pdb), pdb.Metadata?.NamespaceProperty ?? "default"));
        }

        _pdbRemaining = [.. _pdbs.Select(p => PodDisruptionBudgetAllowance.Allowed(p.Pdb, pods))];
    }

    public IReadOnlyList<DisruptionAction> Actions => _actions;

    /// <summary>Single-node consolidation left candidates unproven because of its per-pass limit.</summary>
    public bool HitEvaluationLimit { get; private set; }

    /// <summary>Multi-node consolidation stopped taking candidates at <see cref="DisruptionOptions.MultiNodeCandidateLimit"/> with more left.</summary>
    public bool HitCandidateLimit { get; private set; }

    /// <summary>
    /// The candidates each voluntary method would consider before the pass acts, as Karpenter's eligible-nodes
    /// gauge counts them per reason: empty nodes emptiness may take, drifted nodes drift may replace, non-empty
    /// nodes consolidation may prove. Budgets are not applied (Karpenter counts before them).
    /// </summary>
    public IReadOnlyDictionary<DisruptionReason, int> Eligible() => new Dictionary<DisruptionReason, int>
    {
        [DisruptionReason.Empty] = Live().Count(e => IsEmpty(e) && !_goingAway.Contains(e.Name) && !e.Touched &&
            Block(e, forceful: false) is null && ConsolidationBlock(e, DisruptionReason.Empty, budget: false) is null),
        [DisruptionReason.Drifted] = Live().Count(e => e.Cluster.Drifted is not null && !_goingAway.Contains(e.Name) && !e.Touched &&
            Block(e, forceful: false, eventual: true) is null),
        [DisruptionReason.Underutilized] = ConsolidationCandidates().Count,
    };

    public void Run()
    {
        while (Next() is { } action)
        {
            Consume(action);
            _actions.Add(_s.Apply(action));
        }
    }

    /// <summary>Every node the pass started with and did not act on, with the one reason it was left alone.</summary>
    public List<BlockedNode> Blocked()
    {
        var acted = new HashSet<string>(_actions.SelectMany(a => a.Nodes), StringComparer.Ordinal);
        var blocked = new List<BlockedNode>();
        foreach (var e in _s.Nodes.Values)
        {
            if (!_present.Contains(e.Name) || acted.Contains(e.Name))
            {
                continue;
            }

            var why = IsEmpty(e) ? DisruptionReason.Empty : DisruptionReason.Underutilized;
            var reason = Block(e, forceful: false)
                ?? ConsolidationBlock(e, why, budget: false)
                ?? (e.Touched ? new BlockedNode(e.Name, BlockReason.ConsolidateAfter, $"node {e.Name} takes pods moved by this plan") : null)
                ?? _failures.GetValueOrDefault(e.Name)
                ?? ConsolidationBlock(e, why)
                ?? new BlockedNode(e.Name, BlockReason.NotEvaluated, $"node {e.Name} was not evaluated in this pass");
            blocked.Add(reason);
        }

        return blocked;
    }

    private DisruptionAction? Next() =>
        Emptiness() ?? Drift() ?? Expiration() ?? Interruption() ?? MultiNode() ?? SingleNode();

    // ---------------------------------------------------------------- methods

    private DisruptionAction? Emptiness()
    {
        var taken = new Dictionary<string, int>(StringComparer.Ordinal);
        var nodes = new List<NodeEntry>();
        foreach (var e in Live().Where(IsEmpty).OrderByDescending(e => e.Price).ThenBy(e => e.Name, StringComparer.Ordinal))
        {
            if (Block(e, forceful: false) is not null || _goingAway.Contains(e.Name) || e.Touched || ConsolidationBlock(e, DisruptionReason.Empty, budget: false) is not null)
            {
                continue;
            }

            var pool = e.Cluster.NodePool!;
            if (Allowed(pool, DisruptionReason.Empty) - taken.GetValueOrDefault(pool) <= 0)
            {
                continue;
            }

            taken[pool] = taken.GetValueOrDefault(pool) + 1;
            nodes.Add(e);
        }

        return nodes.Count == 0 ? null : new DisruptionAction
        {
            Method = DisruptionMethod.Emptiness,
            Reason = DisruptionReason.Empty,
            Kind = DisruptionActionKind.Delete,
            Nodes = [.. nodes.Select(n => n.Name)],
            SavingPerHour = Round(nodes.Sum(n => n.Price)),
        };
    }

    private DisruptionAction? Drift()
    {
        var drifted = Live()
            .Where(e => e.Cluster.Drifted is not null && !_goingAway.Contains(e.Name) && !_driftFailed.Contains(e.Name) && !e.Touched)
            .OrderBy(e => IsEmpty(e) ? 0 : 1).ThenBy(e => e.Name, StringComparer.Ordinal);
        foreach (var e in drifted)
        {
            if (Block(e, forceful: false, eventual: true) is not null)
            {
                continue;
            }

            if (Allowed(e.Cluster.NodePool!, DisruptionReason.Drifted) <= 0)
            {
                _failures.TryAdd(e.Name, new BlockedNode(e.Name, BlockReason.Budget, $"budget of NodePool {e.Cluster.NodePool} allows 0 Drifted disruptions now"));
                continue;
            }

            if (Replacement(e, DisruptionMethod.Drift, DisruptionReason.Drifted) is { } action)
            {
                return action;
            }

            _driftFailed.Add(e.Name);
        }

        return null;
    }

    private DisruptionAction? Expiration()
    {
        if (_expirationDone)
        {
            return null;
        }

        _expirationDone = true;
        var expired = Live().Where(e => _goingAway.Contains(e.Name) && IsExpired(e)).ToList();
        return expired.Count == 0 ? null : Forced(expired, DisruptionMethod.Expiration, DisruptionReason.Expired, DisruptionActionKind.Delete);
    }

    private DisruptionAction? Interruption()
    {
        if (!_interruptionDone)
        {
            _interruptionDone = true;
            var interrupted = Live().Where(e => _goingAway.Contains(e.Name) && !IsExpired(e)).ToList();
            if (interrupted.Count > 0)
            {
                return Forced(interrupted, DisruptionMethod.Interruption, DisruptionReason.Interrupted, null);
            }
        }

        // A rebalance recommendation is advice, not a deadline: Karpenter ignores it; the planner replaces the
        // node ahead of time, but only as a voluntary disruption (budgets, do-not-disrupt and PDBs hold).
        var advised = Live()
            .Where(e => e.Cluster.Interruption?.Type == InterruptionType.RebalanceRecommendation && !_goingAway.Contains(e.Name) && !_rebalanceFailed.Contains(e.Name) && !e.Touched)
            .OrderBy(e => e.Cluster.Interruption!.Deadline).ThenBy(e => e.Name, StringComparer.Ordinal);
        foreach (var e in advised)
        {
            if (Block(e, forceful: false) is not null || Allowed(e.Cluster.NodePool!, DisruptionReason.Interrupted) <= 0)
            {
                continue;
            }

            if (Replacement(e, DisruptionMethod.Interruption, DisruptionReason.Interrupted) is { } action)
            {
                return action;
            }

            _rebalanceFailed.Add(e.Name);
        }

        return null;
    }

    private DisruptionAction? MultiNode()
    {
        if (_multiDone)
        {
            return null;
        }

        // Karpenter's order (price per disruption cost) finds the replacements; the emptiest-first order
        // (least requested share of the node first) finds the long deletable prefixes Karpenter's order
        // stops short of when an expensive node early in it cannot go.
        var byRatio = ConsolidationCandidates();
        var byUse = byRatio.OrderBy(Utilization).ThenBy(e => e.Name, StringComparer.Ordinal).ToList();
        var ratioList = WithinBudgets(byRatio);
        var useList = WithinBudgets(byUse);
        DisruptionAction? action = null;
        if (ratioList.Count >= 2)
        {
            action = SearchPrefix(ratioList, replacements: true);
        }

        if (useList.Count >= 2 && !(action is not null && action.Nodes.Count == useList.Count && action.Kind == DisruptionActionKind.Delete) &&
            SearchPrefix(useList, replacements: false) is { } emptiest &&
            (action is null || emptiest.SavingPerHour > action.SavingPerHour))
        {
            action = emptiest;
        }

        // Karpenter drops replacement types a candidate already has, so two half-used nodes of one type get
        // a bigger (dearer) type in their place, though deleting one of them saves more: check that first.
        if (action is { Kind: DisruptionActionKind.Replace })
        {
            var emptiestFirst = action.Nodes.Select(n => _s.Nodes[n]).OrderBy(Utilization).ThenBy(e => e.Name, StringComparer.Ordinal);
            foreach (var e in emptiestFirst.Take(MaxDeleteChecksAgainstReplace))
            {
                if (e.Price > action.SavingPerHour && DeleteOnly([e], DisruptionMethod.MultiNodeConsolidation) is { } delete)
                {
                    action = delete with { Method = DisruptionMethod.SingleNodeConsolidation };
                    break;
                }
            }
        }

        _multiDone = action is null;
        return action;
    }

    /// <summary>How many nodes of a multi-node replacement are checked for a plain delete that saves more.</summary>
    private const int MaxDeleteChecksAgainstReplace = 8;

    /// <summary>The candidates in order, as many as budgets, PDBs and <see cref="DisruptionOptions.MultiNodeCandidateLimit"/> allow together.</summary>
    private List<NodeEntry> WithinBudgets(List<NodeEntry> ordered)
    {
        var candidates = new List<NodeEntry>();
        var taken = new Dictionary<string, int>(StringComparer.Ordinal);
        var pdbTaken = new int[_pdbs.Count];
        foreach (var e in ordered)
        {
            if (candidates.Count >= _o.MultiNodeCandidateLimit)
            {
                HitCandidateLimit = true;
                break;
            }

            var pool = e.Cluster.NodePool!;
            if (Allowed(pool, DisruptionReason.Underutilized) - taken.GetValueOrDefault(pool) <= 0 || !FitsPdbs(e, pdbTaken))
            {
                continue;
            }

            taken[pool] = taken.GetValueOrDefault(pool) + 1;
            candidates.Add(e);
        }

        return candidates;
    }

    /// <summary>
    /// The largest prefix of the ordered candidates that consolidates. Delete-only checks (existing capacity,
    /// one greedy packing) are cheap, so the whole list is tried first and then binary-searched; full solves
    /// (which may open the one replacement) are searched only above the largest deletable prefix.
    /// </summary>
    private DisruptionAction? SearchPrefix(List<NodeEntry> candidates, bool replacements)
    {
        var n = candidates.Count;
        DisruptionAction? best = null;
        var bestDelete = 0;
        if (Remembered(candidates, replace: false) is { } all)
        {
            return all;
        }

        int lo = 2, hi = n - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            if (Remembered(candidates.GetRange(0, mid), replace: false) is { } a)
            {
                best = a;
                bestDelete = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        if (!replacements)
        {
            return best;
        }

        lo = Math.Max(2, bestDelete + 1);
        hi = n;
        DisruptionAction? replace = null;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            var a = Remembered(candidates.GetRange(0, mid), replace: true);
            if (a is not null)
            {
                replace = a;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return replace is not null && (best is null || replace.SavingPerHour > best.SavingPerHour) ? replace : best;
    }

    /// <summary>
    /// A multi-node check (delete, or with the one replacement), unless the same nodes failed it before in
    /// this plan: the cluster only gets fuller, so it would fail again (as for single-node failures). The
    /// candidate lists of later passes and of the two orders share most prefixes.
    /// </summary>
    private DisruptionAction? Remembered(List<NodeEntry> nodes, bool replace)
    {
        var key = (replace ? "r|" : "d|") + string.Join(",", nodes.Select(n => n.Name).Order(StringComparer.Ordinal));
        if (_s.MultiNodeFailures.Contains(key))
        {
            return null;
        }

        var action = replace
            ? WithReplacement(nodes, DisruptionMethod.MultiNodeConsolidation, single: false).Action
            : DeleteOnly(nodes, DisruptionMethod.MultiNodeConsolidation);
        if (action is null)
        {
            _s.MultiNodeFailures.Add(key);
        }

        return action;
    }

    /// <summary>
    /// A necessary condition for a delete, by arithmetic only: every moved pod fits the free room of some
    /// node that stays and whose taints it tolerates, and all of them fit the room of all those nodes
    /// together. The room is over-estimated (DaemonSets not yet running, PreferNoSchedule, affinity and
    /// topology ignored), so a false here is a proof; a true is checked by the solver.
    /// </summary>
    private bool DeleteMayFit(List<NodeEntry> nodes) => DeleteMayFit(nodes, out _);

    /// <summary>As <see cref="DeleteMayFit(List{NodeEntry})"/>; <paramref name="nowhere"/> gets the moved pods that fit no remaining node's room (any replacement must hold them).</summary>
    private bool DeleteMayFit(List<NodeEntry> nodes, out List<V1Pod> nowhere)
    {
        nowhere = [];
        var leaving = new HashSet<string>(nodes.Select(n => n.Name), StringComparer.Ordinal);
        var rooms = new List<(ResourceVector Room, IList<V1Taint>? Taints)>();
        var total = ResourceVector.Zero;
        foreach (var e in _s.Nodes.Values)
        {
            var c = e.Cluster;
            if (leaving.Contains(e.Name) || c.Deleting || e.Launching || _goingAway.Contains(e.Name) ||
                (c.NodeClaim is not null && c.InitializedAt is null) || c.Node.Spec?.Unschedulable == true)
            {
                continue;
            }

            var room = _s.Room(e);
            rooms.Add((room, c.Node.Spec?.Taints is { Count: > 0 } t ? t : null));
            total += room;
        }

        // A pod needs a node whose taints it tolerates (PreferNoSchedule aside, which the solver may relax).
        var moved = ResourceVector.Zero;
        var fits = new Dictionary<(ResourceVector, IList<V1Toleration>?), bool>();
        foreach (var p in nodes.SelectMany(n => n.Pods).Where(PodFacts.Moves))
        {
            var r = Requests(p);
            moved += r;
            var tolerations = p.Spec?.Tolerations is { Count: > 0 } tl ? tl : null;
            if (!fits.TryGetValue((r, tolerations), out var fit))
            {
                fit = rooms.Exists(x => r.FitsIn(x.Room) && (x.Taints is null || Taints.FirstUntolerated(x.Taints, tolerations ?? [], strictPreferNoSchedule: false) is null));
                fits[(r, tolerations)] = fit;
            }

            if (!fit)
            {
                nowhere.Add(p);
            }
        }

        return nowhere.Count == 0 && moved.FitsIn(total);
    }

    /// <summary>
    /// A necessary condition for a cheaper replacement: some instance type whose cheapest offering costs
    /// less than the nodes holds at least one of their pods (the replacement holds at least one).
    /// </summary>
    private bool ReplacementMayBeCheaper(List<NodeEntry> nodes)
    {
        var price = nodes.Sum(n => n.Price);
        var pods = nodes.SelectMany(n => n.Pods).Where(PodFacts.Moves).Select(Requests).ToList();
        foreach (var type in _s.Input.Catalog.InstanceTypes)
        {
            var cheapest = double.PositiveInfinity;
            foreach (var o in type.Offerings)
            {
                if (o.Available && o.Price < cheapest)
                {
                    cheapest = o.Price;
                }
            }

            if (cheapest < price && _s.LaunchAllocatables(type).Any(a => pods.Any(p => p.FitsIn(a))))
            {
                return true;
            }
        }

        return DeleteMayFit(nodes);
    }

    /// <summary>
    /// Whether the pods together fit some instance type whose cheapest offering costs less than
    /// <paramref name="price"/>. The solver fills existing nodes before it opens a claim, so the pods a
    /// delete-only solve could not place are the ones the one replacement would have to hold.
    /// </summary>
    private bool FitsACheaperType(List<V1Pod> pods, double price)
    {
        var need = ResourceVector.Zero;
        foreach (var p in pods)
        {
            need += Requests(p);
        }

        foreach (var type in _s.Input.Catalog.InstanceTypes)
        {
            if (type.Offerings.Any(o => o.Available && o.Price < price) && _s.LaunchAllocatables(type).Any(a => need.FitsIn(a)))
            {
                return true;
            }
        }

        return false;
    }

    private ResourceVector Requests(V1Pod pod) => _s.Requests(pod);

    /// <summary>The node's largest requested share of cpu, memory or pods.</summary>
    private double Utilization(NodeEntry e)
    {
        if (_utilization.TryGetValue(e, out var known) && known.Count == e.Pods.Count)
        {
            return known.Share;
        }

        var alloc = ResourceVector.FromQuantities(e.Cluster.Node.Status?.Allocatable);
        var used = ResourceVector.Zero;
        foreach (var p in e.Pods.Where(PodFacts.Moves))
        {
            used += Requests(p);
        }

        static double Share(long u, long a) => a <= 0 ? (u > 0 ? 1 : 0) : (double)u / a;
        var share = Math.Max(Share(used.MilliCpu, alloc.MilliCpu), Math.Max(Share(used.Memory, alloc.Memory), Share(used.Pods, alloc.Pods)));
        _utilization[e] = (e.Pods.Count, share);
        return share;
    }

    private DisruptionAction? SingleNode()
    {
        // A reason found earlier in the pass (drift, rebalance) is the more telling one and is kept.
        foreach (var e in Interleaved(ConsolidationCandidates()))
        {
            if (_singleFailed.Contains(e.Name) || Allowed(e.Cluster.NodePool!, DisruptionReason.Underutilized) <= 0)
            {
                continue;
            }

            _singleFailed.Add(e.Name);
            if (_s.SingleNodeFailures.TryGetValue(e.Name, out var earlier))
            {
                _failures.TryAdd(e.Name, earlier);
                continue;
            }

            if (!FitsPdbs(e, new int[_pdbs.Count]))
            {
                _failures.TryAdd(e.Name, PdbBlock(e));
                continue;
            }

            var shape = Shape(e);
            if (_shapeFailures.TryGetValue(shape, out var known))
            {
                _failures.TryAdd(e.Name, known.Block with { Node = e.Name, Reason = $"{known.Block.Reason} (same instance type and pods as node {known.Node})" });
                continue;
            }

            if (_singleEvaluations >= _o.SingleNodeCandidateLimit)
            {
                HitEvaluationLimit = true;
                _failures.TryAdd(e.Name, new BlockedNode(e.Name, BlockReason.NotEvaluated, $"single-node consolidation evaluated its limit of {_o.SingleNodeCandidateLimit} nodes in this pass"));
                continue;
            }

            _singleEvaluations++;
            var (action, failure) = Consolidate([e], DisruptionMethod.SingleNodeConsolidation, single: true);
            if (action is not null)
            {
                return action;
            }

            _failures.TryAdd(e.Name, failure!);
            _shapeFailures[shape] = (e.Name, failure!);
            _s.SingleNodeFailures[e.Name] = failure!;
        }

        return null;
    }

    // ---------------------------------------------------------------- validation

    /// <summary>See <see cref="DisruptionPlanner.Revalidate"/>: the same candidate filters, budgets and proof, on this pass's (fresh) cluster.</summary>
    public CommandValidation Revalidate(DisruptionAction command)
    {
        var empty = command.Method == DisruptionMethod.Emptiness;
        var invalid = new List<BlockedNode>();
        var nodes = new List<NodeEntry>();
        var taken = new Dictionary<string, int>(StringComparer.Ordinal);
        var pdbsTaken = new int[_pdbs.Count];
        foreach (var name in command.Nodes)
        {
            if (!_s.Nodes.TryGetValue(name, out var e) || !_present.Contains(name))
            {
                invalid.Add(new BlockedNode(name, BlockReason.Deleting, $"node {name} left the cluster"));
                continue;
            }

            var why = Block(e, forceful: false)
                ?? (_goingAway.Contains(name) ? new BlockedNode(name, BlockReason.Deleting, $"node {name} is going away (expired or interrupted)") : null)
                ?? ConsolidationBlock(e, command.Reason, budget: false)
                ?? (empty && !IsEmpty(e) ? new BlockedNode(name, BlockReason.Invalidated, $"node {name} is no longer empty: pods were bound to it") : null);
            if (why is null)
            {
                var pool = e.Cluster.NodePool!;
                if (Allowed(pool, command.Reason) - taken.GetValueOrDefault(pool) <= 0)
                {
                    why = new BlockedNode(name, BlockReason.Budget, $"budget of NodePool {pool} no longer allows {command.Reason} disruption of node {name}");
                }
                else if (!FitsPdbs(e, pdbsTaken))
                {
                    why = PdbBlock(e);
                }
                else
                {
                    taken[pool] = taken.GetValueOrDefault(pool) + 1;
                }
            }

            if (why is null)
            {
                nodes.Add(e);
            }
            else
            {
                invalid.Add(why);
            }
        }

        if (empty && invalid.Count > 0)
        {
            return new CommandValidation(
                nodes.Count == 0 ? null : command with { Nodes = [.. nodes.Select(n => n.Name)], SavingPerHour = Round(nodes.Sum(n => n.Price)) },
                invalid);
        }

        if (invalid.Count > 0)
        {
            return new CommandValidation(null, invalid);
        }

        if (empty)
        {
            return new CommandValidation(command, []);
        }

        var first = nodes[0].Name;
        var proof = command.Kind == DisruptionActionKind.Delete ? ProveDeleteAgain(nodes) : ProveReplaceAgain(command, nodes);
        return proof is null ? new CommandValidation(command, []) : new CommandValidation(null, [new BlockedNode(first, BlockReason.Invalidated, proof)]);
    }

    /// <summary>Why the delete no longer holds, or null: the pods must all still fit on the remaining nodes.</summary>
    private string? ProveDeleteAgain(List<NodeEntry> nodes)
    {
        var r = Simulation.Run(_s, nodes, _goingAway, Simulation.WithClaims);
        if (r.Stuck is { } stuck)
        {
            return $"pod {stuck.Pod} can no longer move: {stuck.Reason}";
        }

        return r.Claims.Count == 0 ? null : $"the pods no longer fit on the other nodes (they would need {r.Claims.Count} new NodeClaims)";
    }

    /// <summary>Why the replace no longer holds, or null: one new NodeClaim, still cheaper, able to be any type the command launches.</summary>
    private string? ProveReplaceAgain(DisruptionAction command, List<NodeEntry> nodes)
    {
        var r = Simulation.Run(_s, nodes, _goingAway, Simulation.WithClaims);
        if (r.Stuck is { } stuck)
        {
            return $"pod {stuck.Pod} can no longer move: {stuck.Reason}";
        }

        if (r.Claims.Count != 1)
        {
            return r.Claims.Count == 0
                ? "the pods now fit on the other nodes: a delete would do, the replacement is not launched"
                : $"moving the pods now needs {r.Claims.Count} new NodeClaims";
        }

        var (claim, failure) = CheaperReplacement(r.Claims[0], nodes, command.Method == DisruptionMethod.SingleNodeConsolidation);
        if (claim is null)
        {
            return failure;
        }

        var fresh = r.Claims[0].InstanceTypeOptions.ToHashSet(StringComparer.Ordinal);
        var missing = command.Replacements.SelectMany(c => c.InstanceTypeOptions.DefaultIfEmpty(c.InstanceType)).FirstOrDefault(t => !fresh.Contains(t));
        return missing is null ? null : $"instance type {missing} the replacement would launch no longer holds the pods";
    }

    // ---------------------------------------------------------------- consolidation proof

    private (DisruptionAction? Action, BlockedNode? Failure) Consolidate(List<NodeEntry> nodes, DisruptionMethod method, bool single)
    {
        if (DeleteOnly(nodes, method, out var overflow) is { } delete)
        {
            return (delete, null);
        }

        return WithReplacement(nodes, method, single, overflow);
    }

    private DisruptionAction? DeleteOnly(List<NodeEntry> nodes, DisruptionMethod method) => DeleteOnly(nodes, method, out _);

    /// <summary>A delete proven on existing capacity; when it fails for room, <paramref name="overflow"/> gets the moved pods that found none (a replacement must hold them).</summary>
    private DisruptionAction? DeleteOnly(List<NodeEntry> nodes, DisruptionMethod method, out List<V1Pod> overflow)
    {
        if (!DeleteMayFit(nodes, out overflow))
        {
            return null;
        }

        var r = Simulation.Run(_s, nodes, _goingAway, Simulation.ExistingOnly);
        if (r.Unplaced.Count > 0)
        {
            var unplaced = r.Unplaced.ToHashSet(StringComparer.Ordinal);
            overflow = [.. nodes.SelectMany(n => n.Pods).Where(p => unplaced.Contains(PodFacts.Key(p)))];
            return null;
        }

        if (r.Claims.Count > 0)
        {
            return null;
        }

        var saving = nodes.Sum(n => n.Price);
        return saving < Threshold(r.MovedPods) || BalancedBlock(nodes, 0) is not null ? null : Action(method, DisruptionReason.Underutilized, nodes, [], r.Moves, saving);
    }

    private (DisruptionAction? Action, BlockedNode? Failure) WithReplacement(List<NodeEntry> nodes, DisruptionMethod method, bool single, List<V1Pod>? overflow = null)
    {
        var subject = nodes.Count == 1 ? $"node {nodes[0].Name}" : $"{nodes.Count} nodes";
        var first = nodes[0].Name;
        if (overflow is { Count: > 0 } && !FitsACheaperType(overflow, nodes.Sum(n => n.Price)))
        {
            return (null, new BlockedNode(first, BlockReason.NoCheaperOption,
                $"no cheaper option: the {overflow.Count} pods of {subject} that fit on no other node need more than any instance type cheaper than {Money(nodes.Sum(n => n.Price))} holds"));
        }

        if (!ReplacementMayBeCheaper(nodes))
        {
            return (null, new BlockedNode(first, BlockReason.NoCheaperOption,
                $"no cheaper option: no instance type cheaper than {Money(nodes.Sum(n => n.Price))} holds any pod of {subject}, and its pods do not all fit on the other nodes"));
        }

        var r = Simulation.Run(_s, nodes, _goingAway, Simulation.WithClaims);
        if (r.Stuck is { } stuck)
        {
            return (null, new BlockedNode(first, BlockReason.PodsCannotMove, $"pod {stuck.Pod} cannot move: {stuck.Reason}"));
        }

        var price = nodes.Sum(n => n.Price);
        if (r.Claims.Count > 1)
        {
            return (null, new BlockedNode(first, BlockReason.NoCheaperOption, $"no cheaper option: moving the pods of {subject} needs {r.Claims.Count} new NodeClaims (consolidation launches at most one)"));
        }

        if (r.Claims.Count == 0)
        {
            return price < Threshold(r.MovedPods)
                ? (null, BelowThreshold(first, price, r.MovedPods))
                : BalancedBlock(nodes, 0) is { } unbalanced
                    ? (null, unbalanced)
                    : (Action(method, DisruptionReason.Underutilized, nodes, [], r.Moves, price), null);
        }

        var (claim, failure) = CheaperReplacement(r.Claims[0], nodes, single);
        if (claim is null)
        {
            return (null, new BlockedNode(first, BlockReason.NoCheaperOption, failure!));
        }

        var saving = price - claim.PricePerHour;
        if (saving < Threshold(r.MovedPods))
        {
            return (null, BelowThreshold(first, saving, r.MovedPods));
        }

        if (BalancedBlock(nodes, claim.PricePerHour) is { } balanced)
        {
            return (null, balanced);
        }

        var moves = r.Moves.Select(m => m.To == r.Claims[0].Name ? m with { To = claim.Name } : m).ToList();
        return (Action(method, DisruptionReason.Underutilized, nodes, [claim], moves, saving), null);
    }

    /// <summary>
    /// Karpenter's price filter on the one replacement: keep instance types whose worst launch price (the
    /// dearest compatible offering of the first class available among reserved, spot, on-demand) is below
    /// what the candidates cost. Spot candidates are replaced only by spot (spot-to-spot, behind its gate;
    /// a single node needs <see cref="DisruptionOptions.MinInstanceTypesForSpotToSpot"/> cheaper types and
    /// launches with the cheapest that many, so it cannot race to the bottom); any replacement allowed to
    /// be spot is launched as spot. Multi-node replacements drop types of a candidate costing at least it.
    /// </summary>
    private (PlannedNodeClaim? Claim, string? Failure) CheaperReplacement(PlannedNodeClaim claim, List<NodeEntry> nodes, bool single)
    {
        var price = nodes.Sum(n => n.Price);
        var catalog = _s.Input.Catalog.InstanceTypes.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var reqs = claim.Requirements;
        var allowsSpot = claim.InstanceTypeOptions.Any(t => catalog.TryGetValue(t, out var it) && Offerings(it, reqs, CapacityTypes.Spot).Any());
        var allSpot = nodes.All(n => n.Cluster.CapacityType == CapacityTypes.Spot);
        if (allSpot && allowsSpot && !_o.SpotToSpotConsolidation)
        {
            return (null, "spot-to-spot consolidation is disabled (DisruptionOptions.SpotToSpotConsolidation)");
        }

        string? only = allowsSpot ? CapacityTypes.Spot : null;
        var sameType = nodes.GroupBy(n => n.Cluster.InstanceType ?? "", StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Min(n => n.Price), StringComparer.Ordinal);
        var kept = new List<(InstanceType Type, Offering Launch)>();
        var cheapestSeen = double.PositiveInfinity;
        string? cheapestName = null;
        foreach (var name in claim.InstanceTypeOptions)
        {
            if (!catalog.TryGetValue(name, out var type))
            {
                continue;
            }

            var offerings = Offerings(type, reqs, only).ToList();
            if (offerings.Count == 0)
            {
                continue;
            }

            var worst = WorstLaunchPrice(offerings);
            var launch = offerings.OrderBy(o => o.Price).ThenBy(o => o.Zone, StringComparer.Ordinal).First();
            if (launch.Price < cheapestSeen)
            {
                cheapestSeen = launch.Price;
                cheapestName = name;
            }

            if (worst >= price || (!single && sameType.TryGetValue(name, out var same) && launch.Price >= same))
            {
                continue;
            }

            kept.Add((type, launch));
        }

        var spotToSpot = allSpot && only == CapacityTypes.Spot;
        if (kept.Count == 0)
        {
            return (null, cheapestName is null
                ? "no cheaper option: no instance type of the replacement has a compatible offering"
                : $"no cheaper option: the cheapest replacement ({cheapestName} at {Money(cheapestSeen)}) is not cheaper than {Money(price)}");
        }

        kept.Sort((a, b) => a.Launch.Price != b.Launch.Price ? a.Launch.Price.CompareTo(b.Launch.Price) : string.CompareOrdinal(a.Type.Name, b.Type.Name));
        if (spotToSpot && single)
        {
            if (kept.Count < _o.MinInstanceTypesForSpotToSpot)
            {
                return (null, $"no cheaper option: spot-to-spot consolidation of a single node needs {_o.MinInstanceTypesForSpotToSpot} cheaper spot instance types, found {kept.Count}");
            }

            kept = kept.GetRange(0, _o.MinInstanceTypesForSpotToSpot);
        }

        var (launchType, offering) = kept[0];
        var labels = new SortedDictionary<string, string>(claim.Labels.ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal)
        {
            [WellKnownLabels.InstanceType] = launchType.Name,
            [WellKnownLabels.Zone] = offering.Zone,
            [WellKnownLabels.CapacityType] = offering.CapacityType,
        };
        return (claim with
        {
            InstanceType = launchType.Name,
            Zone = offering.Zone,
            CapacityType = offering.CapacityType,
            PricePerHour = offering.Price,
            InstanceTypeOptions = [.. kept.Select(k => k.Type.Name)],
            Labels = labels,
            Requirements = only is null ? reqs : reqs.Add(Requirement.In(WellKnownLabels.CapacityType, only)),
        }, null);
    }

    private static IEnumerable<Offering> Offerings(InstanceType type, RequirementSet reqs, string? capacityType) =>
        type.Offerings.Where(o => o.Available &&
            (capacityType is null || o.CapacityType == capacityType) &&
            (reqs[WellKnownLabels.Zone]?.Has(o.Zone) ?? true) &&
            (reqs[WellKnownLabels.CapacityType]?.Has(o.CapacityType) ?? true));

    private static double WorstLaunchPrice(List<Offering> offerings)
    {
        foreach (var ct in new[] { CapacityTypes.Reserved, CapacityTypes.Spot, CapacityTypes.OnDemand })
        {
            var of = offerings.Where(o => o.CapacityType == ct).ToList();
            if (of.Count > 0)
            {
                return of.Max(o => o.Price);
            }
        }

        return offerings.Max(o => o.Price);
    }

    // ---------------------------------------------------------------- drift, expiration, interruption

    /// <summary>Drift and rebalance: replace the node with whatever the solver needs for its pods, no price check.</summary>
    private DisruptionAction? Replacement(NodeEntry e, DisruptionMethod method, DisruptionReason reason)
    {
        if (IsEmpty(e))
        {
            return Action(method, reason, [e], [], [], e.Price);
        }

        if (!FitsPdbs(e, new int[_pdbs.Count]))
        {
            _failures[e.Name] = PdbBlock(e);
            return null;
        }

        var r = Simulation.Run(_s, [e], _goingAway, SolverOptions.Default);
        if (r.Stuck is { } stuck)
        {
            _failures[e.Name] = new BlockedNode(e.Name, BlockReason.PodsCannotMove, $"pod {stuck.Pod} cannot move: {stuck.Reason}");
            return null;
        }

        return Action(method, reason, [e], r.Claims, r.Moves, e.Price - r.Claims.Sum(c => c.PricePerHour));
    }

    /// <summary>
    /// Expiration and hard interruptions: the nodes go whatever blocks them. Replacements are what the solver
    /// would launch for their pods (for expiration, provisioning launches them after the delete); pods that
    /// fit nowhere are left pending.
    /// </summary>
    private DisruptionAction Forced(List<NodeEntry> nodes, DisruptionMethod method, DisruptionReason reason, DisruptionActionKind? kind)
    {
        var r = nodes.Any(n => !IsEmpty(n)) ? Simulation.Run(_s, nodes, _goingAway, SolverOptions.Default) : null;
        var claims = r?.Claims ?? [];
        var saving = nodes.Sum(n => n.Price) - claims.Sum(c => c.PricePerHour);
        var action = Action(method, reason, nodes, claims, r?.Moves ?? [], saving);
        return action with { Kind = kind ?? (claims.Count > 0 ? DisruptionActionKind.Replace : DisruptionActionKind.Delete) };
    }

    private static DisruptionAction Action(DisruptionMethod method, DisruptionReason reason, List<NodeEntry> nodes, IReadOnlyList<PlannedNodeClaim> claims, IReadOnlyList<PodMove> moves, double saving) => new()
    {
        Method = method,
        Reason = reason,
        Kind = claims.Count > 0 ? DisruptionActionKind.Replace : DisruptionActionKind.Delete,
        Nodes = [.. nodes.Select(n => n.Name)],
        Replacements = claims,
        Moves = moves,
        SavingPerHour = Round(saving),
    };

    // ---------------------------------------------------------------- candidates, budgets, PDBs

    private IEnumerable<NodeEntry> Live() => _s.Nodes.Values.Where(e => _present.Contains(e.Name));

    /// <summary>Consolidation candidates in Karpenter's order: price per disruption cost, highest first.</summary>
    private List<NodeEntry> ConsolidationCandidates() =>
        [.. Live()
            .Where(e => !IsEmpty(e) && !_goingAway.Contains(e.Name) && !e.Touched &&
                Block(e, forceful: false) is null && ConsolidationBlock(e, DisruptionReason.Underutilized, budget: false) is null)
            .Select(e => (Entry: e, Ratio: e.Price / RescheduleCost(e)))
            .OrderByDescending(x => x.Ratio).ThenBy(x => x.Entry.Name, StringComparer.Ordinal)
            .Select(x => x.Entry)];

    /// <summary>Round-robin over NodePools (by name), each in candidate order, as Karpenter's single-node method does.</summary>
    private static IEnumerable<NodeEntry> Interleaved(List<NodeEntry> ordered)
    {
        var queues = ordered.GroupBy(e => e.Cluster.NodePool!, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new Queue<NodeEntry>(g)).ToList();
        while (queues.Count > 0)
        {
            foreach (var q in queues)
            {
                yield return q.Dequeue();
            }

            queues.RemoveAll(q => q.Count == 0);
        }
    }

    private double RescheduleCost(NodeEntry e)
    {
        if (!_rescheduleCost.TryGetValue(e, out var known) || known.Count != e.Pods.Count)
        {
            known = (e.Pods.Count, 1 + e.Pods.Where(PodFacts.Moves).Sum(p => Math.Max(0, PodFacts.EvictionCost(p))));
            _rescheduleCost[e] = known;
        }

        return known.Cost;
    }

    private static bool IsEmpty(NodeEntry e) => !e.Pods.Any(PodFacts.Moves);

    private bool IsExpired(NodeEntry e) =>
        e.Cluster.NodePool is { } p && _s.Pools.TryGetValue(p, out var pool) && pool.ExpireAfter is { } after && e.Cluster.CreatedAt + after <= _s.Now;

    /// <summary>
    /// Why the node cannot be disrupted at all, or null. <paramref name="forceful"/> (expiration, hard
    /// interruption) stops only at what is not Karpenter's or already going; <paramref name="eventual"/>
    /// (drift) ignores pod-level blocks when the NodePool sets a terminationGracePeriod, as Karpenter does.
    /// </summary>
    private BlockedNode? Block(NodeEntry e, bool forceful, bool eventual = false)
    {
        var c = e.Cluster;
        var n = e.Name;
        if (c.NodeClaim is null)
        {
            return new(n, BlockReason.NotManaged, $"node {n} is not managed by Karpenter (no NodeClaim)");
        }

        if (c.Deleting)
        {
            return new(n, BlockReason.Deleting, $"node {n} is already being deleted");
        }

        if (e.Launching)
        {
            return new(n, BlockReason.NotInitialized, $"node {n} is a replacement this plan launches");
        }

        if (c.NodePool is null || !_s.Pools.TryGetValue(c.NodePool, out var pool))
        {
            return new(n, BlockReason.NotManaged, $"NodePool {c.NodePool ?? "(none)"} of node {n} is not known");
        }

        if (forceful)
        {
            return null;
        }

        if (c.InitializedAt is null)
        {
            return new(n, BlockReason.NotInitialized, $"NodeClaim {c.NodeClaim} is not initialized");
        }

        if (c.Nominated)
        {
            return new(n, BlockReason.Nominated, $"pending pods are nominated to node {n}");
        }

        if (c.Node.Metadata?.Annotations?.TryGetValue(WellKnownLabels.DoNotDisruptAnnotation, out var v) == true && v == "true")
        {
            return new(n, BlockReason.NodeDoNotDisrupt, $"node {n} has {WellKnownLabels.DoNotDisruptAnnotation}");
        }

        if (eventual && pool.TerminationGracePeriod is not null)
        {
            return null;
        }

        foreach (var (key, doNotDisrupt, covering) in MovingPods(e))
        {
            if (doNotDisrupt)
            {
                return new(n, BlockReason.PodDoNotDisrupt, $"pod {key} has {WellKnownLabels.DoNotDisruptAnnotation}");
            }

            if (covering.Count > 1)
            {
                return new(n, BlockReason.PodDisruptionBudget, $"pod {key} is covered by more than one PodDisruptionBudget ({string.Join(", ", covering.Select(i => PdbName(i)))})");
            }

            if (covering.Count == 1 && _pdbRemaining[covering[0]] <= 0)
            {
                return new(n, BlockReason.PodDisruptionBudget, $"PodDisruptionBudget {PdbName(covering[0])} allows 0 disruptions");
            }
        }

        return null;
    }

    /// <summary>
    /// The node's pods that move, in name order, with whether do-not-disrupt holds and the PDBs covering
    /// each. Every method asks for every node after each action; pods are only ever added to a node.
    /// </summary>
    private List<(string Key, bool DoNotDisrupt, List<int> Pdbs)> MovingPods(NodeEntry e)
    {
        if (_moving.TryGetValue(e, out var known) && known.Count == e.Pods.Count)
        {
            return known.Pods;
        }

        var pods = e.Pods.Where(PodFacts.Moves)
            .Select(p => (Key: PodFacts.Key(p), DoNotDisrupt: PodFacts.DoNotDisrupt(p, _s.Now), Pdbs: PdbsOf(p)))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .ToList();
        _moving[e] = (e.Pods.Count, pods);
        return pods;
    }

    /// <summary>Why consolidation (or emptiness, for <see cref="DisruptionReason.Empty"/>) leaves the node alone, or null.</summary>
    private BlockedNode? ConsolidationBlock(NodeEntry e, DisruptionReason reason, bool budget = true)
    {
        var n = e.Name;
        var pool = _s.Pools[e.Cluster.NodePool!];
        if (pool.Disruption.ConsolidateAfter is not { } after)
        {
            return new(n, BlockReason.ConsolidationDisabled, $"NodePool {pool.Name} has consolidateAfter: Never");
        }

        var since = Max(e.Cluster.InitializedAt, e.Cluster.LastPodEventAt);
        if (!e.Settled && since is { } s && _s.Now - s < after)
        {
            return new(n, BlockReason.ConsolidateAfter, $"node {n} changed {Duration(_s.Now - s)} ago; NodePool {pool.Name} consolidates after {Duration(after)}");
        }

        if (reason == DisruptionReason.Underutilized && pool.Disruption.ConsolidationPolicy == ConsolidationPolicy.WhenEmpty)
        {
            return new(n, BlockReason.PolicyWhenEmpty, $"NodePool {pool.Name} consolidates only empty nodes (consolidationPolicy: WhenEmpty)");
        }

        if (budget && Allowed(pool.Name, reason) <= 0)
        {
            return new(n, BlockReason.Budget, $"budget of NodePool {pool.Name} allows 0 {reason} disruptions now");
        }

        return null;
    }

    private int Allowed(string pool, DisruptionReason reason)
    {
        if (!_raw.TryGetValue((pool, reason), out var raw))
        {
            raw = _s.Pools.TryGetValue(pool, out var p) ? DisruptionBudgets.Allowed(p, reason, _nodeCount.GetValueOrDefault(pool), _s.Now) : 0;
            _raw[(pool, reason)] = raw;
        }

        return raw == DisruptionBudgets.Unlimited ? raw : Math.Max(0, raw - _disrupting.GetValueOrDefault(pool));
    }

    /// <summary>An action takes budget from its nodes' NodePools and disruptions from their pods' PDBs.</summary>
    private void Consume(DisruptionAction action)
    {
        foreach (var name in action.Nodes)
        {
            var e = _s.Nodes[name];
            if (e.Cluster.NodePool is { } pool)
            {
                _disrupting[pool] = _disrupting.GetValueOrDefault(pool) + 1;
            }

            foreach (var pod in e.Pods.Where(PodFacts.Moves))
            {
                foreach (var i in PdbsOf(pod))
                {
                    _pdbRemaining[i]--;
                }
            }
        }
    }

    /// <summary>Whether the node's pods, added to <paramref name="taken"/>, stay within every PDB; adds them when they do.</summary>
    private bool FitsPdbs(NodeEntry e, int[] taken)
    {
        if (_pdbs.Count == 0)
        {
            return true;
        }

        var add = new int[_pdbs.Count];
        foreach (var (_, _, pdbs) in MovingPods(e))
        {
            foreach (var i in pdbs)
            {
                add[i]++;
            }
        }

        for (var i = 0; i < add.Length; i++)
        {
            if (add[i] > 0 && taken[i] + add[i] > _pdbRemaining[i])
            {
                return false;
            }
        }

        for (var i = 0; i < add.Length; i++)
        {
            taken[i] += add[i];
        }

        return true;
    }

    private BlockedNode PdbBlock(NodeEntry e)
    {
        var count = new int[_pdbs.Count];
        foreach (var pod in e.Pods.Where(PodFacts.Moves))
        {
            foreach (var i in PdbsOf(pod))
            {
                count[i]++;
            }
        }

        var worst = Enumerable.Range(0, count.Length).First(i => count[i] > _pdbRemaining[i]);
        return new BlockedNode(e.Name, BlockReason.PodDisruptionBudget,
            $"PodDisruptionBudget {PdbName(worst)} allows {Math.Max(0, _pdbRemaining[worst])} disruptions; node {e.Name} holds {count[worst]} of its pods");
    }

    private List<int> PdbsOf(V1Pod pod)
    {
        var key = PodFacts.Key(pod);
        if (!_s.PdbCoverage.TryGetValue(key, out var list))
        {
            list = [];
            for (var i = 0; i < _pdbs.Count; i++)
            {
                if (PodDisruptionBudgetAllowance.Covers(_pdbs[i].Pdb, _pdbs[i].Matcher, _pdbs[i].Ns, pod))
                {
                    list.Add(i);
                }
            }

            _s.PdbCoverage[key] = list;
        }

        return list;
    }

    private string PdbName(int i) => $"{_pdbs[i].Ns}/{_pdbs[i].Pdb.Metadata?.Name}";

    /// <summary>What makes two nodes interchangeable for single-node consolidation: pool, offering, price and pod shapes.</summary>
    private string Shape(NodeEntry e)
    {
        var c = e.Cluster;
        var pods = e.Pods.Where(PodFacts.Moves).Select(PodShape).Order(StringComparer.Ordinal);
        return string.Join("\n", [$"{c.NodePool}|{c.InstanceType}|{c.Zone}|{c.CapacityType}|{c.PricePerHour.ToString("R", CultureInfo.InvariantCulture)}", .. pods]);
    }

    private string PodShape(V1Pod pod)
    {
        var key = PodFacts.Key(pod);
        if (!_s.PodShapes.TryGetValue(key, out var shape))
        {
            var p = PodFacts.Pending(pod);
            var labels = pod.Metadata?.Labels is { } l ? string.Join(",", l.OrderBy(x => x.Key, StringComparer.Ordinal).Select(x => $"{x.Key}={x.Value}")) : "";
            shape = $"{pod.Metadata?.NamespaceProperty}|{labels}|{KubernetesJson.Serialize(p.Spec)}";
            _s.PodShapes[key] = shape;
        }

        return shape;
    }

    private double Threshold(int pods) => _o.MinSavingPerPodPerHour * pods;

    /// <summary>
    /// Why a NodePool with <c>consolidationPolicy: Balanced</c> refuses the move (see <see cref="BalancedConsolidation"/>),
    /// or null; <paramref name="replacementPrice"/> is what the move launches (0 for a delete).
    /// </summary>
    private BlockedNode? BalancedBlock(List<NodeEntry> nodes, double replacementPrice)
    {
        var price = nodes.Sum(n => n.Price);
        foreach (var group in nodes.GroupBy(n => n.Cluster.NodePool!, StringComparer.Ordinal))
        {
            if (!_s.Pools.TryGetValue(group.Key, out var pool) || pool.Disruption.ConsolidationPolicy != ConsolidationPolicy.Balanced)
            {
                continue;
            }

            var groupPrice = group.Sum(n => n.Price);
            var saving = groupPrice - (price > 0 ? replacementPrice * groupPrice / price : 0);
            var poolNodes = Live().Where(e => e.Cluster.NodePool == group.Key && e.Cluster.NodeClaim is not null && !e.Cluster.Deleting).ToList();
            var poolCost = poolNodes.Sum(e => e.Price);
            var poolDisruption = poolNodes.Sum(RescheduleCost);
            var disruption = group.Sum(RescheduleCost);
            if (!BalancedConsolidation.Approves(saving, poolCost, disruption, poolDisruption))
            {
                var score = BalancedConsolidation.Score(saving, poolCost, disruption, poolDisruption);
                return new BlockedNode(group.First().Name, BlockReason.SavingBelowThreshold, string.Create(CultureInfo.InvariantCulture,
                    $"NodePool {pool.Name} is Balanced: the move saves {saving / poolCost:0.#%} of its cost for {disruption / poolDisruption:0.#%} of its disruption cost (score {score:0.##}, needs {1 / BalancedConsolidation.K:0.##})"));
            }
        }

        return null;
    }

    private BlockedNode BelowThreshold(string node, double saving, int pods) =>
        new(node, BlockReason.SavingBelowThreshold,
            $"saving {Money(saving)} for {pods} pods is below the threshold of {Money(_o.MinSavingPerPodPerHour)} per pod");

    private static bool IsReady(V1Node node) =>
        node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready") is not { } ready || ready.Status == "True";

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private static double Round(double v) => Math.Round(v, 6);

    internal static string Money(double perHour) => "$" + Math.Round(perHour, 4).ToString("0.####", CultureInfo.InvariantCulture) + "/h";

    private static string Duration(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes}m" : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes}m{t.Seconds}s" : $"{(int)t.TotalSeconds}s";
}
