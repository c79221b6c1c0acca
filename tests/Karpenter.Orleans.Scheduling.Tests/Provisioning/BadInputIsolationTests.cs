using k8s;
using k8s.Models;
using Karpenter.Orleans.Scheduling.Provisioning;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Provisioning;

/// <summary>
/// One bad object must not stop provisioning for the rest: the solver survives every quantity that passes
/// the range check, and a pod it still fails on is isolated by <see cref="IsolatingSolver"/> and left out.
/// </summary>
public sealed class BadInputIsolationTests
{
    // The largest cpu and memory a quantity may have (2^53 millicores, 8Pi bytes).
    private const string MaxCpu = "9007199254740992m";
    private const string MaxMemory = "8Pi";

    [Fact]
    public void Many_pods_at_the_quantity_limit_are_unschedulable_without_overflow_and_the_others_still_get_claims()
    {
        var scenario = TestCatalogs.ThreeSizes("zone-a")
            .Pool(new NodePoolBuilder("default").Limit("cpu", MaxCpu).Limit("memory", MaxMemory))
            .Node(new NodeBuilder("giant").Allocatable(MaxCpu, MaxMemory, 100_000))
            .Replicas(3000, "huge", cpu: MaxCpu, memory: MaxMemory)
            .Replicas(5, "web", cpu: "1", memory: "1Gi");
        for (var i = 0; i < 1100; i++)
        {
            // 1,100 x 2^53 passes a long: wrapped, the giant node's usage would turn negative and the node
            // look empty; saturated, it reads as full.
            scenario.Pod(new PodBuilder($"bound-{i}", MaxCpu, MaxMemory).BoundTo("giant"));
        }

        var o = scenario.Solve();

        Assert.Empty(o.Result.ExistingNodes);
        Assert.All(Enumerable.Range(0, 3000), i => Assert.NotNull(o.ReasonFor($"huge-{i}")));
        Assert.All(Enumerable.Range(0, 5), i => Assert.NotNull(o.ClaimOf($"web-{i}")));
        Assert.Equal(5, o.Result.Summary.Scheduled);
    }

    [Fact]
    public void A_real_pod_the_solver_fails_on_is_quarantined_and_the_rest_provisions()
    {
        // A spread constraint without topologyKey: the API server would refuse it, the agent API does not,
        // and the solver throws on it. (If the solver learns to survive it, pick another such input.)
        var scenario = TestCatalogs.ThreeSizes("zone-a").Replicas(6, "web", cpu: "1", memory: "1Gi");
        var input = scenario.Pod(new PodBuilder("bad", "1", "1Gi")).Input();
        var bad = input.Pods.Single(p => p.Metadata.Name == "bad");
        bad.Spec.TopologySpreadConstraints = KubernetesJson.Deserialize<List<V1TopologySpreadConstraint>>(
            """[{"maxSkew": 1, "whenUnsatisfiable": "DoNotSchedule", "labelSelector": {"matchLabels": {"app": "bad"}}}]""");
        Assert.ThrowsAny<Exception>(() => ProvisioningSolver.Solve(input));

        var solved = IsolatingSolver.Solve(input);

        var q = Assert.Single(solved.Quarantined);
        Assert.Equal("default/bad", q.Pod);
        Assert.Contains("Exception", q.Error, StringComparison.Ordinal);
        Assert.NotNull(solved.Result);
        Assert.Equal(6, solved.Result.Summary.Scheduled);
        Assert.DoesNotContain(solved.Result.NodeClaims.SelectMany(c => c.Pods), p => p == "default/bad");
    }

    [Fact]
    public void Bad_pods_are_found_by_binary_split_not_one_solve_per_pod()
    {
        var input = TestCatalogs.ThreeSizes("zone-a").Replicas(64, "web", cpu: "100m", memory: "128Mi").Input();
        var poisoned = new HashSet<string>(StringComparer.Ordinal) { "web-17", "web-50" };
        var calls = 0;
        SchedulingResult Solve(SchedulingInput i)
        {
            calls++;
            return i.Pods.Any(p => poisoned.Contains(p.Metadata.Name))
                ? throw new InvalidOperationException("poisoned")
                : ProvisioningSolver.Solve(i);
        }

        var solved = IsolatingSolver.Solve(input, solve: Solve);

        Assert.Equal(["default/web-17", "default/web-50"], solved.Quarantined.Select(q => q.Pod).Order(StringComparer.Ordinal));
        Assert.All(solved.Quarantined, q => Assert.Equal("InvalidOperationException: poisoned", q.Error));
        Assert.Equal(62, solved.Result!.Summary.Scheduled);
        // Per bad pod: one failed solve, one solve without pods, at most two trials per halving (6 halvings of 64).
        Assert.InRange(calls, 3, 2 * (2 + (2 * 6)) + 1);

        // Deterministic: the same input quarantines the same pods in the same order.
        Assert.Equal(solved.Quarantined, IsolatingSolver.Solve(input, solve: Solve).Quarantined);
    }

    [Fact]
    public void A_failure_no_single_pod_causes_quarantines_nobody()
    {
        var input = TestCatalogs.ThreeSizes("zone-a").Replicas(8, "web").Input();

        var pair = IsolatingSolver.Solve(input, solve: i =>
            i.Pods.Any(p => p.Metadata.Name == "web-1") && i.Pods.Any(p => p.Metadata.Name == "web-6")
                ? throw new InvalidOperationException("only together")
                : ProvisioningSolver.Solve(i));
        var podless = IsolatingSolver.Solve(input, solve: _ => throw new InvalidOperationException("the catalog is broken"));

        Assert.Empty(pair.Quarantined);
        Assert.Null(pair.Result);
        Assert.Equal("only together", pair.Failure!.Message);
        Assert.Empty(podless.Quarantined);
        Assert.Equal("the catalog is broken", podless.Failure!.Message);
    }
}
