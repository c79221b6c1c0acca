using CsCheck;
using Karpenter.Orleans.Scheduling.Provisioning;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;
using Karpenter.Orleans.Scheduling.Workloads;

namespace Karpenter.Orleans.Scheduling.Tests.Provisioning;

/// <summary>
/// The cost side of the solver: the improvement passes never return a dearer plan than the Karpenter-like
/// greedy one for the same pods, and no plan is ever cheaper than the LP lower bound (which would mean
/// the bound, or the plan's accounting, is wrong).
/// </summary>
public sealed class CostPropertyTests
{
    private static readonly SolverOptions WithBound = new() { ComputeLowerBound = true };

    [Fact]
    public void PlansAreNeverCheaperThanTheLowerBoundNorDearerThanGreedy() =>
        ScenarioGen.Scenario.Sample(
            spec =>
            {
                var result = ProvisioningSolver.Solve(spec.ToInput(), WithBound);
                var bound = result.Summary.LowerBoundPerHour;
                Assert.NotNull(bound);
                Assert.True(result.Summary.PricePerHour >= (bound!.Value * (1 - 1e-6)) - 1e-6,
                    $"plan ${result.Summary.PricePerHour}/h is below the lower bound ${bound}/h");
                var greedyOnly = ProvisioningSolver.Solve(spec.ToInput(), new SolverOptions { Improve = false });
                if (greedyOnly.Summary.Scheduled == result.Summary.Scheduled)
                {
                    Assert.True(result.Summary.PricePerHour <= greedyOnly.Summary.PricePerHour + 1e-9,
                        $"improved plan ${result.Summary.PricePerHour}/h is dearer than greedy ${greedyOnly.Summary.PricePerHour}/h");
                }
            },
            iter: 150,
            threads: 1,
            print: spec => spec.ToString());

    [Fact]
    public void InterleavedPackingMixesPodShapesOnTheBenchmarkCatalog()
    {
        // The benchmark's plain pods (no topology) on linear prices: a plan close to the bound needs
        // claims that mix CPU-heavy and memory-heavy pods instead of filling one resource per node.
        var input = BenchmarkWorkload.Create(10_000);
        var plain = input with { Pods = input.Pods.Take(2_000).ToList() };
        var result = ProvisioningSolver.Solve(plain, WithBound);

        Assert.Equal(2_000, result.Summary.Scheduled);
        Assert.True(result.Summary.GapPercent < 5, $"gap {result.Summary.GapPercent}% to the lower bound");
        Assert.True(result.Summary.PricePerHour < result.Summary.GreedyPricePerHour!.Value * 0.9,
            $"improved ${result.Summary.PricePerHour}/h is not 10% below greedy ${result.Summary.GreedyPricePerHour}/h");
    }
}
