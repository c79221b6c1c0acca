using CsCheck;
using Karpenter.Orleans.Scheduling.Provisioning;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Provisioning;

/// <summary>
/// Properties of the solver over small random clusters: capacity, constraints, accounting, determinism and
/// offering choice. Each property checks one family of <see cref="PlanChecker"/> violations.
/// </summary>
public sealed class SolverPropertyTests
{
    private const int Iterations = 200;

    private static void Holds(params ViolationKind[] kinds) => Holds(input => ProvisioningSolver.Solve(input), kinds);

    private static void Holds(Func<SchedulingInput, SchedulingResult> solve, params ViolationKind[] kinds) =>
        ScenarioGen.Scenario.Sample(
            spec =>
            {
                var input = spec.ToInput();
                var result = solve(input);
                PlanChecker.AssertValid(input, result, null, kinds);
            },
            iter: Iterations,
            threads: 1,
            print: spec => spec.ToString());

    [Fact]
    public void NoClaimOrNodeExceedsItsAllocatable() => Holds(ViolationKind.Fit);

    [Fact]
    public void EveryPlacementHonoursSelectorsTaintsAntiAffinityHostPortsAndSpread() => Holds(ViolationKind.Placement);

    /// <summary>
    /// Covers constrained pods too: an unschedulable pod is a failure when the checker finds a fresh node it
    /// could run on alone under its own constraints and what the plan leaves of the limits.
    /// </summary>
    [Fact]
    public void EveryPendingPodIsPlacedOnceOrUnschedulableWithAReason() => Holds(ViolationKind.Accounting, ViolationKind.Completeness);

    /// <summary>The completeness property is not vacuous: a solver that gives up on a constrained pod it had placed fails it.</summary>
    [Fact]
    public void CompletenessCatchesASolverThatDropsAConstrainedPod()
    {
        var dropped = 0;
        SchedulingResult DropOne(SchedulingInput input)
        {
            var result = ProvisioningSolver.Solve(input);
            var mutated = PlanMutations.DropConstrainedPod(input, result);
            dropped += ReferenceEquals(mutated, result) ? 0 : 1;
            return mutated;
        }

        var ex = Assert.ThrowsAny<Exception>(() => Holds(DropOne, ViolationKind.Accounting, ViolationKind.Completeness));
        Assert.True(dropped > 0, "the generator produced no placed constrained pod");
        Assert.Contains("[Completeness]", ex.ToString(), StringComparison.Ordinal);
        Assert.Contains("dropped by the test", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void LaunchedOfferingIsAvailableAndTheCheapestCompatibleAmongTheOptions() => Holds(ViolationKind.Offering);

    [Fact]
    public void NodePoolLimitsAreNeverExceeded() => Holds(ViolationKind.Limits);

    [Fact]
    public void SolvingTwiceGivesTheSameResult() =>
        ScenarioGen.Scenario.Sample(
            spec =>
            {
                var input = spec.ToInput();
                var first = Outcome.Canonical(ProvisioningSolver.Solve(input));
                var again = Outcome.Canonical(ProvisioningSolver.Solve(input));
                var rebuilt = Outcome.Canonical(ProvisioningSolver.Solve(spec.ToInput()));
                Assert.Equal(first, again);
                Assert.Equal(first, rebuilt);
            },
            iter: Iterations,
            threads: 1,
            print: spec => spec.ToString());
}
