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
/// offerings: the plan never costs less than the lower bound, leaves no more pods out than each service
/// packed alone on its cheapest offering, honours every constraint and is the same plan every time; on the
/// fleets docs/benchmarks.md reports it costs less than that per-group packing. Not yet true of every
/// generated fleet (issue 12: seed 890078 with 269 pods plans $6.81/h against $6.51/h per group), so the
/// random samples do not assert it.
/// </summary>
public sealed class FleetPropertyTests
{
    private const double Tolerance = 1e-6;

    private static readonly SolverOptions WithBound = new() { ComputeLowerBound = true };

    private static readonly Lazy<InstanceTypeCatalog> Shipped = new(() => CatalogLoader.Load(CatalogPath()));

    // Small fleets keep each sample well under a second; the seed varies services, prices and pools.
    private static readonly Gen<(int Seed, int Pods)> Fleets = Gen.Select(Gen.Int[0, 1_000_000], Gen.Int[40, 300]);

    [Fact]
    public void PlansAreNeverBelowTheBoundAndPlaceWhatThePerGroupPackingPlaces() =>
        Fleets.Sample(
            fleet =>
            {
                var input = FleetWorkload.Create(Shipped.Value, fleet.Pods, fleet.Seed);
                var result = ProvisioningSolver.Solve(input, WithBound);
                var perGroup = PerGroupPacking.Plan(input);
                var bound = result.Summary.LowerBoundPerHour;

                Assert.NotNull(bound);
                Assert.True(result.Summary.PricePerHour >= (bound!.Value * (1 - Tolerance)) - Tolerance,
                    $"plan ${result.Summary.PricePerHour}/h is below the lower bound ${bound}/h");
                Assert.True(result.Summary.Unschedulable <= perGroup.Unplaced, $"{result.Summary.Unschedulable} pods left, the per-group packing left {perGroup.Unplaced}");
            },
            iter: 12,
            threads: 1,
            print: fleet => $"seed {fleet.Seed}, {fleet.Pods} pods");

    // The reported rows of docs/benchmarks.md at 1,000 pods (seeds the solver was not tuned on).
    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void OnTheReportedFleetsThePlanCostsLessThanThePerGroupPacking(int seed)
    {
        var input = FleetWorkload.Create(Shipped.Value, 1_000, seed);
        var result = ProvisioningSolver.Solve(input);
        var perGroup = PerGroupPacking.Plan(input);

        Assert.Equal(0, perGroup.Unplaced);
        Assert.True(result.Summary.PricePerHour < perGroup.PricePerHour,
            $"plan ${result.Summary.PricePerHour}/h is not under the per-group packing ${perGroup.PricePerHour}/h");
    }

    [Fact]
    public void FleetPlansHonourEveryConstraintAndAreDeterministic() =>
        Fleets.Sample(
            fleet =>
            {
                var input = FleetWorkload.Create(Shipped.Value, fleet.Pods, fleet.Seed);
                var first = ProvisioningSolver.Solve(input);

                PlanChecker.AssertValid(input, first);
                Assert.Equal(Outcome.Canonical(first), Outcome.Canonical(ProvisioningSolver.Solve(FleetWorkload.Create(Shipped.Value, fleet.Pods, fleet.Seed))));
            },
            iter: 8,
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
