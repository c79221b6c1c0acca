using System.Runtime.CompilerServices;
using CsCheck;
using Karpenter.Orleans.Scheduling.Manifests;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Provisioning;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;
using Karpenter.Orleans.Scheduling.Workloads;

namespace Karpenter.Orleans.Scheduling.Tests.Provisioning;

/// <summary>
/// Generated fleets on the shipped catalog with the seed's per-zone spot prices and unavailable spot
/// offerings (services with arch and capacity-type selectors, zonal spreads, a one-per-node quorum, a
/// tainted tier, a GPU pool, DaemonSets): the plan is never dearer than the per-group packing (each
/// service alone on its cheapest offering, itself a valid plan) and never cheaper than the lower bound,
/// places at least the pods that packing places, honours every constraint and is the same plan every
/// time. On the fleets docs/benchmarks.md reports, and the one CI once found dearer (seed 890078), it
/// costs strictly less than the per-group packing.
/// </summary>
public sealed class FleetPropertyTests
{
    private const double Tolerance = 1e-6;

    private static readonly SolverOptions WithBound = new() { ComputeLowerBound = true };

    private static readonly Lazy<InstanceTypeCatalog> Shipped = new(() => CatalogLoader.Load(CatalogPath()));

    // Small fleets keep each sample well under a second; the seed varies services, prices and pools.
    private static readonly Gen<(int Seed, int Pods)> Fleets = Gen.Select(Gen.Int[0, 1_000_000], Gen.Int[40, 300]);

    [Fact]
    public void PlansAreNeverDearerThanThePerGroupPackingNorCheaperThanTheBound() =>
        Fleets.Sample(
            fleet => AssertBetweenBoundAndPerGroup(FleetWorkload.Create(Shipped.Value, fleet.Pods, fleet.Seed)),
            iter: 16,
            threads: 1,
            print: fleet => $"seed {fleet.Seed}, {fleet.Pods} pods");

    [Fact]
    public void GeneratedFleetsIncludeZoneSpreadServices()
    {
        // The property above is only as strong as its fleets: most seeds must carry a zonal spread.
        var withSpread = Enumerable.Range(0, 50).Count(seed => FleetWorkload.Services(300, seed).Any(s => s.ZonalSpread && s.Replicas > 0));

        Assert.True(withSpread >= 40, $"{withSpread} of 50 seeds have a zone-spread service");
    }

    // The fleet CI's random sample found dearer than the per-group packing (issue 12), and the reported
    // rows of docs/benchmarks.md at 1,000 pods (seeds the solver was not tuned on).
    [Theory]
    [InlineData(890078, 269)]
    [InlineData(11, 1_000)]
    [InlineData(12, 1_000)]
    [InlineData(13, 1_000)]
    public void OnTheReportedFleetsThePlanCostsLessThanThePerGroupPacking(int seed, int pods)
    {
        var input = FleetWorkload.Create(Shipped.Value, pods, seed);
        AssertBetweenBoundAndPerGroup(input);

        var result = ProvisioningSolver.Solve(input);
        var perGroup = PerGroupPacking.Plan(input);

        Assert.Equal(0, perGroup.Unplaced);
        Assert.Equal(0, result.Summary.Unschedulable);
        Assert.True(result.Summary.PricePerHour < perGroup.PricePerHour - Tolerance,
            $"plan ${result.Summary.PricePerHour}/h is not under the per-group packing ${perGroup.PricePerHour}/h");
    }

    [Fact]
    public void FleetPlansHonourEveryConstraintAndAreDeterministic() =>
        Fleets.Sample(
            fleet =>
            {
                var input = FleetWorkload.Create(Shipped.Value, fleet.Pods, fleet.Seed);
                var first = ProvisioningSolver.Solve(input);
                var perGroup = PerGroupPacking.Plan(input);

                PlanChecker.AssertValid(input, first);
                PlanChecker.AssertValid(input, perGroup.Plan);
                var again = FleetWorkload.Create(Shipped.Value, fleet.Pods, fleet.Seed);
                Assert.Equal(Outcome.Canonical(first), Outcome.Canonical(ProvisioningSolver.Solve(again)));
                Assert.Equal(Outcome.Canonical(perGroup.Plan), Outcome.Canonical(PerGroupPacking.Plan(again).Plan));
            },
            iter: 8,
            threads: 1,
            print: fleet => $"seed {fleet.Seed}, {fleet.Pods} pods");

    [Fact]
    public void SolvingBesideTheFirstFitOnOneModelGivesWhatEachGivesAlone() =>
        // karpo simulate compiles the model once for the solve and Karpenter's first fit and runs them side by side.
        Fleets.Sample(
            fleet =>
            {
                var (result, firstFit) = ProvisioningSolver.SolveWithFirstFit(FleetWorkload.Create(Shipped.Value, fleet.Pods, fleet.Seed));
                var input = FleetWorkload.Create(Shipped.Value, fleet.Pods, fleet.Seed);

                Assert.Equal(Outcome.Canonical(ProvisioningSolver.Solve(input)), Outcome.Canonical(result));
                var alone = KarpenterFirstFit.Plan(input);
                Assert.Equal((alone.NodeClaims, alone.Scheduled, alone.Unplaced), (firstFit.NodeClaims, firstFit.Scheduled, firstFit.Unplaced));
                Assert.Equal(alone.PricePerHour, firstFit.PricePerHour, 9);
                Assert.Equal(alone.Launches, firstFit.Launches);
            },
            iter: 6,
            threads: 1,
            print: fleet => $"seed {fleet.Seed}, {fleet.Pods} pods");

    [Fact]
    public void TheBoundPricesCapacityTypeSelectorsAtTheirOwnOfferings()
    {
        // On-demand-only pods cannot use spot: a bound that priced their nodes at the pool's cheapest
        // (spot) offering would sit far below every plan. It must reach at least their own cheapest cost.
        var input = new Scenario("zone-a")
            .Type("t", "4", "16Gi", 1.0, t => t.OnDemand(1.0, "zone-a").Spot(0.25, "zone-a"))
            .Replicas(8, "od", p => p.NodeSelector(WellKnownLabels.CapacityType, CapacityTypes.OnDemand), cpu: "1", memory: "1Gi")
            .Input();

        var result = ProvisioningSolver.Solve(input, WithBound);

        Assert.True(result.Summary.LowerBoundPerHour >= 2.0 - Tolerance, $"bound {result.Summary.LowerBoundPerHour}");
        Assert.True(result.Summary.PricePerHour >= result.Summary.LowerBoundPerHour - Tolerance);
    }

    private static void AssertBetweenBoundAndPerGroup(SchedulingInput input)
    {
        var result = ProvisioningSolver.Solve(input, WithBound);
        var perGroup = PerGroupPacking.Plan(input);
        var bound = result.Summary.LowerBoundPerHour;

        Assert.NotNull(bound);
        Assert.True(result.Summary.PricePerHour >= (bound!.Value * (1 - Tolerance)) - Tolerance,
            $"plan ${result.Summary.PricePerHour}/h is below the lower bound ${bound}/h");
        Assert.True(result.Summary.Scheduled >= perGroup.Scheduled, $"{result.Summary.Scheduled} pods scheduled, the per-group packing scheduled {perGroup.Scheduled}");
        if (result.Summary.Scheduled == perGroup.Scheduled)
        {
            Assert.True(result.Summary.PricePerHour <= perGroup.PricePerHour + Tolerance,
                $"plan ${result.Summary.PricePerHour}/h is dearer than the per-group packing ${perGroup.PricePerHour}/h");
        }
    }

    // Tests run from an artifacts folder that may be outside the repository: find data/ from this source file first.
    private static string CatalogPath([CallerFilePath] string source = "")
    {
        var candidates = new List<string>
        {
            Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", "..", "data", "aws-us-east-1-instance-types.json")),
        };
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            candidates.Add(Path.Combine(dir.FullName, "data", "aws-us-east-1-instance-types.json"));
        }

        return candidates.FirstOrDefault(File.Exists) ?? candidates[0];
    }
}
