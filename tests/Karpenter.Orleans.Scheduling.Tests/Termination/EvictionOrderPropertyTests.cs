using CsCheck;
using k8s.Models;
using Karpenter.Orleans.Scheduling.Disruption;
using Karpenter.Orleans.Scheduling.Termination;
using static Karpenter.Orleans.Scheduling.Tests.Termination.DrainPods;

namespace Karpenter.Orleans.Scheduling.Tests.Termination;

/// <summary>
/// Invariants of the drain over generated nodes (pods of every group, some terminating, asked, backing off,
/// do-not-disrupt, tolerating the taint or mirrors; budgets per app, one app under two budgets), checked
/// with the tests' own bookkeeping: no later group while an earlier one still has a pod to evict, no budget
/// asked for more than it allows, nothing evicted that the drain must leave alone.
/// </summary>
public sealed class EvictionOrderPropertyTests
{
    private const int Iterations = 300;

    /// <summary>One generated pod: group 0..3, app 0..2, and one state among normal and the special cases.</summary>
    private sealed record GenPod(int Group, int App, int State);

    private sealed record GenNode(GenPod[] Pods, int[] MaxUnavailable, bool Overlap)
    {
        public List<V1Pod> Build() => Pods.Select((p, i) => Pod(
            $"p{i}",
            app: $"app{p.App}",
            daemon: p.Group is 1 or 3,
            critical: p.Group >= 2,
            mirror: p.State == 5,
            tolerates: p.State == 4,
            doNotDisrupt: p.State == 3,
            deleting: p.State == 6 ? Now.AddSeconds(10) : null,
            phase: p.State == 7 ? "Failed" : "Running")).ToList();

        public List<V1PodDisruptionBudget> Budgets()
        {
            var pdbs = MaxUnavailable.Select((m, app) => (m, app)).Where(x => x.m >= 0).Select(x => Pdb($"pdb{x.app}", $"app{x.app}", x.m)).ToList();
            if (Overlap)
            {
                pdbs.Add(Pdb("pdb2-extra", "app2", 5));
            }

            return pdbs;
        }

        public HashSet<string> WithState(int state) => Pods.Select((p, i) => (p, i)).Where(x => x.p.State == state).Select(x => $"default/p{x.i}").ToHashSet(StringComparer.Ordinal);
    }

    private static readonly Gen<GenNode> Nodes = Gen.Select(
        Gen.Select(Gen.Int[0, 3], Gen.Int[0, 2], Gen.Int[0, 12], (g, a, s) => new GenPod(g, a, s)).Array[0, 12],
        Gen.Int[-1, 3].Array[3],
        Gen.Bool,
        (pods, max, overlap) => new GenNode(pods, max, overlap));

    private static void Holds(Action<GenNode, DrainInput, DrainDecision> property) => Nodes.Sample(node =>
    {
        var pods = node.Build();
        var pdbs = node.Budgets();
        // States 1 and 2 are an eviction out and a backoff; the rest of 0..12 are ordinary pods.
        var asked = node.WithState(1);
        var input = new DrainInput
        {
            Pods = pods,
            Asked = asked,
            BackingOff = node.WithState(2),
            PodDisruptionBudgets = pdbs,
            Budgets = EvictionOrder.Budgets(pdbs, pods, asked),
            Now = Now,
        };
        property(node, input, EvictionOrder.Decide(input));
    }, iter: Iterations, threads: 1, print: n => string.Join(" ", n.Pods.Select(p => $"{p.Group}/{p.App}/{p.State}")) + $" pdb[{string.Join(",", n.MaxUnavailable)}] overlap={n.Overlap}");

    private static bool Evictable(V1Pod p) =>
        p.Status.Phase == "Running" && p.Metadata.DeletionTimestamp is null &&
        !p.Metadata.OwnerReferences.Any(o => o.Kind == "Node") && p.Spec.Tolerations is null;

    [Fact]
    public void A_later_group_is_never_evicted_while_an_earlier_group_has_a_pod_left_to_evict() => Holds((_, input, decision) =>
    {
        if (decision.Evict.Count == 0)
        {
            return;
        }

        var group = Assert.Single(decision.Evict.Select(EvictionOrder.GroupOf).Distinct());
        Assert.Equal(decision.Group, group);
        Assert.DoesNotContain(input.Pods, p => Evictable(p) && EvictionOrder.GroupOf(p) < group);
    });

    [Fact]
    public void No_budget_is_asked_for_more_than_it_allows_and_no_pod_under_two_budgets_is_evicted() => Holds((_, input, decision) =>
    {
        foreach (var pdb in input.PodDisruptionBudgets)
        {
            var key = EvictionOrder.KeyOf(pdb);
            var spent = decision.Evict.Count(p => PodDisruptionBudgetAllowance.Covers(pdb, p));
            Assert.True(spent <= input.Budgets[key], $"{spent} evictions under {key}, which allows {input.Budgets[key]}");
            Assert.Equal(input.Budgets[key] - spent, decision.BudgetsAfter[key]);
        }

        Assert.DoesNotContain(decision.Evict, p => input.PodDisruptionBudgets.Count(b => PodDisruptionBudgetAllowance.Covers(b, p)) > 1);
    });

    [Fact]
    public void A_budget_never_allows_more_than_the_cluster_would_accept_counting_the_evictions_under_way() => Holds((_, input, _) =>
    {
        foreach (var pdb in input.PodDisruptionBudgets)
        {
            var covered = input.Pods.Where(p => PodDisruptionBudgetAllowance.Covers(pdb, p)).ToList();
            var healthy = covered.Count(p => p.Status.Phase == "Running" && p.Metadata.DeletionTimestamp is null);
            var underWay = covered.Count(p => p.Status.Phase == "Running" && p.Metadata.DeletionTimestamp is null && input.Asked.Contains(Key(p)));
            var maxUnavailable = int.Parse(pdb.Spec.MaxUnavailable.Value, System.Globalization.CultureInfo.InvariantCulture);
            var allowed = Math.Max(0, healthy - Math.Max(0, covered.Count - maxUnavailable));
            Assert.Equal(Math.Max(0, allowed - underWay), input.Budgets[EvictionOrder.KeyOf(pdb)]);
        }
    });

    [Fact]
    public void Nothing_asked_backing_off_do_not_disrupt_terminating_finished_mirror_or_tolerating_is_evicted() => Holds((_, input, decision) =>
    {
        foreach (var pod in decision.Evict)
        {
            Assert.True(Evictable(pod), $"{Key(pod)} is not evictable");
            Assert.DoesNotContain(Key(pod), input.Asked);
            Assert.DoesNotContain(Key(pod), input.BackingOff);
            Assert.Null(pod.Metadata.Annotations);
        }

        Assert.Empty(decision.Delete);
    });

    [Fact]
    public void The_node_is_drained_exactly_when_no_pod_is_left_that_the_drain_waits_on() => Holds((_, input, decision) =>
    {
        var waitedOn = input.Pods.Any(p => p.Status.Phase == "Running" && !p.Metadata.OwnerReferences.Any(o => o.Kind == "Node") && p.Spec.Tolerations is null);
        Assert.Equal(!waitedOn, decision.Drained);
    });

    [Fact]
    public void Draining_to_the_end_removes_the_groups_in_order_and_never_overdraws_a_budget() => Holds((node, input, _) =>
    {
        // The cluster's side: each round the evicted pods go and the budgets are recomputed over what is left.
        var pods = input.Pods.Where(p => p.Metadata.Annotations is null).ToList();
        var last = EvictionGroup.NonCriticalWorkload;
        for (var round = 0; round < 20; round++)
        {
            var decision = EvictionOrder.Decide(input with
            {
                Pods = pods,
                Asked = new HashSet<string>(StringComparer.Ordinal),
                BackingOff = new HashSet<string>(StringComparer.Ordinal),
                Budgets = EvictionOrder.Budgets(input.PodDisruptionBudgets, pods, new HashSet<string>(StringComparer.Ordinal)),
            });
            if (decision.Evict.Count == 0)
            {
                return;
            }

            Assert.True(decision.Group >= last, $"group {decision.Group} evicted after {last}");
            last = decision.Group!.Value;
            pods.RemoveAll(p => decision.Evict.Contains(p));
        }
    });
}
