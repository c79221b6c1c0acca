using k8s.Models;
using Karpenter.Orleans.Scheduling.Termination;
using static Karpenter.Orleans.Scheduling.Tests.Termination.DrainPods;

namespace Karpenter.Orleans.Scheduling.Tests.Termination;

/// <summary>The drain's eviction order and what it leaves alone, from Karpenter's termination controller.</summary>
public sealed class EvictionOrderTests
{
    private static DrainDecision Decide(IReadOnlyList<V1Pod> pods, IReadOnlyList<V1PodDisruptionBudget>? pdbs = null, ISet<string>? asked = null, bool graceOver = false)
    {
        var budgets = pdbs ?? [];
        var askedSet = new HashSet<string>(asked ?? new HashSet<string>(), StringComparer.Ordinal);
        return EvictionOrder.Decide(new DrainInput
        {
            Pods = pods,
            Asked = askedSet,
            PodDisruptionBudgets = budgets,
            Budgets = EvictionOrder.Budgets(budgets, pods, askedSet),
            Now = Now,
            GracePeriodOver = graceOver,
        });
    }

    private static string[] Names(IEnumerable<V1Pod> pods) => pods.Select(p => p.Metadata.Name).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void The_four_groups_go_in_turn_workloads_then_DaemonSets_then_critical_workloads_then_critical_DaemonSets()
    {
        var pods = new List<V1Pod>
        {
            Pod("ds-critical", app: "cni", daemon: true, critical: true),
            Pod("critical", app: "dns", critical: true),
            Pod("ds", app: "logs", daemon: true),
            Pod("web-1"),
            Pod("web-2"),
        };

        var rounds = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var decision = Decide(pods);
            if (decision.Drained)
            {
                break;
            }

            rounds.Add($"{decision.Group}: {string.Join(",", Names(decision.Evict))}");
            pods.RemoveAll(p => decision.Evict.Contains(p));
        }

        Assert.Equal(
            [
                $"{EvictionGroup.NonCriticalWorkload}: web-1,web-2",
                $"{EvictionGroup.NonCriticalDaemonSet}: ds",
                $"{EvictionGroup.CriticalWorkload}: critical",
                $"{EvictionGroup.CriticalDaemonSet}: ds-critical",
            ],
            rounds);
    }

    [Fact]
    public void A_pod_whose_eviction_is_out_holds_the_next_group_back_but_a_terminating_pod_does_not()
    {
        var web = Pod("web");
        var ds = Pod("ds", app: "logs", daemon: true);

        var asked = Decide([web, ds], asked: new HashSet<string> { Key(web) });
        Assert.Empty(asked.Evict);
        Assert.Equal(EvictionGroup.NonCriticalWorkload, asked.Group);
        Assert.Contains(asked.Waiting, w => w.Pod == Key(web));

        var terminating = Decide([Pod("web", deleting: Now.AddSeconds(20)), ds]);
        Assert.Equal(["ds"], Names(terminating.Evict));
        Assert.False(terminating.Drained);
    }

    [Fact]
    public void A_do_not_disrupt_workload_pod_keeps_the_DaemonSet_pods_on_the_node_until_it_ends()
    {
        var decision = Decide([Pod("batch", doNotDisrupt: true), Pod("ds", app: "logs", daemon: true)]);

        Assert.Empty(decision.Evict);
        Assert.Contains("do-not-disrupt", Assert.Single(decision.Waiting).Reason, StringComparison.Ordinal);
        Assert.False(decision.Drained);
    }

    [Fact]
    public void Pods_tolerating_the_disrupted_taint_mirror_pods_and_finished_pods_are_never_evicted_nor_waited_on()
    {
        var everything = Pod("tolerates-all", daemon: true, app: "agent");
        everything.Spec.Tolerations = [new V1Toleration { OperatorProperty = "Exists" }];
        var pods = new[] { Pod("tolerates", tolerates: true), everything, Pod("static", mirror: true), Pod("done", phase: "Succeeded") };

        var decision = Decide(pods);

        Assert.True(decision.Drained);
        Assert.Empty(decision.Evict);
    }

    [Fact]
    public void A_toleration_for_another_effect_or_key_does_not_keep_the_pod()
    {
        var noExecute = Pod("no-execute");
        noExecute.Spec.Tolerations = [new V1Toleration { Key = "karpenter.sh/disrupted", OperatorProperty = "Exists", Effect = "NoExecute" }];
        var other = Pod("other");
        other.Spec.Tolerations = [new V1Toleration { Key = "node.kubernetes.io/unschedulable", OperatorProperty = "Exists" }];

        Assert.Equal(["no-execute", "other"], Names(Decide([noExecute, other]).Evict));
    }

    [Fact]
    public void A_pod_stuck_terminating_more_than_a_minute_past_its_deletion_time_is_no_longer_waited_on()
    {
        Assert.False(Decide([Pod("web", deleting: Now.AddSeconds(-30))]).Drained);
        Assert.True(Decide([Pod("web", deleting: Now.AddMinutes(-2))]).Drained);
    }

    [Fact]
    public void A_budget_is_spent_once_per_pass_across_the_nodes_that_drain_in_it()
    {
        var pods = Enumerable.Range(0, 4).Select(i => Pod($"web-{i}")).ToList();
        var pdbs = new[] { Pdb("web", "web", maxUnavailable: 1) };
        var budgets = EvictionOrder.Budgets(pdbs, pods, new HashSet<string>());
        Assert.Equal(1, budgets["default/web"]);

        var first = EvictionOrder.Decide(new DrainInput { Pods = pods[..2], PodDisruptionBudgets = pdbs, Budgets = budgets, Now = Now });
        var second = EvictionOrder.Decide(new DrainInput { Pods = pods[2..], PodDisruptionBudgets = pdbs, Budgets = first.BudgetsAfter, Now = Now });

        Assert.Equal(["web-0"], Names(first.Evict));
        Assert.Contains("PodDisruptionBudget default/web", first.Waiting.Single().Reason, StringComparison.Ordinal);
        Assert.Empty(second.Evict);
        Assert.Equal(0, second.BudgetsAfter["default/web"]);
    }

    [Fact]
    public void An_eviction_already_asked_counts_against_the_budget_until_the_pod_is_gone()
    {
        var pods = Enumerable.Range(0, 4).Select(i => Pod($"web-{i}")).ToList();
        var pdbs = new[] { Pdb("web", "web", maxUnavailable: 2) };

        Assert.Equal(2, EvictionOrder.Budgets(pdbs, pods, new HashSet<string>())["default/web"]);
        Assert.Equal(1, EvictionOrder.Budgets(pdbs, pods, new HashSet<string> { "default/web-0" })["default/web"]);
        Assert.Equal(["web-1"], Names(Decide(pods[..2], pdbs, asked: new HashSet<string> { "default/web-0" }).Evict));
    }

    [Fact]
    public void A_pod_under_two_budgets_is_not_evicted_because_the_Eviction_API_refuses_it()
    {
        var pods = new[] { Pod("web-0"), Pod("web-1") };
        var pdbs = new[] { Pdb("a", "web", maxUnavailable: 2), Pdb("b", "web", maxUnavailable: 2) };

        var decision = Decide(pods, pdbs);

        Assert.Empty(decision.Evict);
        Assert.All(decision.Waiting, w => Assert.Contains("2 PodDisruptionBudgets", w.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public void Past_the_grace_period_every_waited_on_pod_is_deleted_whatever_its_group_budget_or_annotation()
    {
        var pods = new[] { Pod("web"), Pod("batch", doNotDisrupt: true), Pod("ds", app: "logs", daemon: true, critical: true), Pod("static", mirror: true) };
        var decision = Decide(pods, [Pdb("web", "web", maxUnavailable: 0)], graceOver: true);

        Assert.Empty(decision.Evict);
        Assert.Equal(["batch", "ds", "web"], Names(decision.Delete));
    }
}
