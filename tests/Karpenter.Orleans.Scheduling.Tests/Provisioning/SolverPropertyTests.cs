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

    private static void Holds(params ViolationKind[] kinds) =>
        ScenarioGen.Scenario.Sample(
            spec =>
            {
                var input = spec.ToInput();
                var result = ProvisioningSolver.Solve(input);
                PlanChecker.AssertValid(input, result, null, kinds);
            },
            iter: Iterations,
            threads: 1,
            print: spec => spec.ToString());

    [Fact]
    public void NoClaimOrNodeExceedsItsAllocatable() => Holds(ViolationKind.Fit);

    [Fact]
    public void EveryPlacementHonoursSelectorsTaintsAntiAffinityHostPortsAndSpread() => Holds(ViolationKind.Placement);

    [Fact]
    public void EveryPendingPodIsPlacedOnceOrUnschedulableWithAReason() => Holds(ViolationKind.Accounting, ViolationKind.Completeness);

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
