using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Karpenter.Orleans.Scheduling.Manifests;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Optimization;
using Karpenter.Orleans.Scheduling.Provisioning;
using Karpenter.Orleans.Scheduling.Provisioning.Internal;
using Karpenter.Orleans.Scheduling.Resources;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;
using Karpenter.Orleans.Scheduling.Workloads;

namespace Karpenter.Orleans.Scheduling.Tests.Provisioning;

/// <summary>
/// Packing seeded with the LP's whole nodes, and the single-group cover applied to every plan: close to the
/// bound on the AWS mix without hostname constraints, within every constraint and NodePool limit, deterministic.
/// </summary>
public sealed class LpSeededPackingTests
{
    private const double Tolerance = 1e-6;

    private static readonly SolverOptions WithBound = new() { ComputeLowerBound = true };

    private static readonly Lazy<InstanceTypeCatalog> AwsCatalog = new(() => CatalogLoader.Load(AwsCatalogPath()));

    // One solve per variant and size (a few seconds at most), shared by the tests that look at it.
    private static readonly ConcurrentDictionary<(AwsTopology Topology, int Pods), Lazy<(SchedulingInput Input, SchedulingResult Result)>> AwsSolves = new();

    [Theory]
    [InlineData(AwsTopology.None)]
    [InlineData(AwsTopology.NoHostname)]
    public void TheAwsMixWithoutHostnameConstraintsIsWithinThreePercentOfTheBound(AwsTopology topology)
    {
        var (_, result) = AwsSolve(topology, 10_000);

        Assert.Equal(10_000, result.Summary.Scheduled);
        Assert.Empty(result.Unschedulable);
        Assert.True(result.Summary.GapPercent <= 3.0, $"gap {result.Summary.GapPercent}% (plan {result.Summary.PricePerHour}, bound {result.Summary.LowerBoundPerHour})");
    }

    [Theory]
    [InlineData(AwsTopology.None)]
    [InlineData(AwsTopology.NoHostname)]
    public void TheAwsMixPlanBreaksNoConstraint(AwsTopology topology)
    {
        // 3,000 pods: the checker is quadratic in pods, and the solve still seeds from the LP at this size.
        var (input, result) = AwsSolve(topology, 3_000);

        Assert.Equal(3_000, result.Summary.Scheduled);
        PlanChecker.AssertValid(input, result, WithBound);
    }

    [Fact]
    public void SolvingTheAwsMixTwiceGivesTheSameClaims()
    {
        var (input, first) = AwsSolve(AwsTopology.None, 3_000);

        var second = ProvisioningSolver.Solve(input, WithBound);

        Assert.NotEmpty(first.NodeClaims);
        Assert.Equal(Outcome.Canonical(first), Outcome.Canonical(second));
    }

    /// <summary>
    /// 48 one-cpu pods of two groups; c16 (16 cpu, 0.60/h) is cheaper per cpu than c4 (4 cpu, 0.20/h); the pool
    /// may launch at most 20 cpu. Two groups share the pool, so the LP, not an exact single-group cost, prices them.
    /// </summary>
    private static SchedulingInput LimitedPool() =>
        new Scenario()
            .Type("c4", "4", "16Gi", 0.20)
            .Type("c16", "16", "64Gi", 0.60)
            .Pool(new NodePoolBuilder("default").Limit("cpu", "20"))
            .Replicas(24, "a", cpu: "1", memory: "128Mi")
            .Replicas(24, "b", cpu: "1", memory: "256Mi")
            .Input();

    [Fact]
    public void TheLpThatSeedsTheLimitedPoolIgnoresItsLimit()
    {
        // The LP knows no limits: 48 cpu on c16 at 0.60 / 16 = 0.0375 per cpu is 3 nodes, 1.80/h. However its
        // patterns split those 3 nodes, the whole ones seed at least 32 cpu of c16, well over the limit of 20.
        var model = new SolverModel(LimitedPool(), SolverOptions.Default);
        var built = LowerBoundBuilder.Build(model, null);
        var lp = LowerBoundSolver.Solve(built.Problem);
        var seeds = LpSeeds.From(built, lp);

        Assert.Equal(0.0, built.IsolatedCost);
        Assert.Equal(1.80, lp.PricePerHour, Tolerance);
        Assert.All(seeds, s => Assert.Equal("c16", model.Index.Types[s.Type].Name));
        Assert.True(seeds.Sum(s => s.Nodes) >= 2, $"{seeds.Sum(s => s.Nodes)} c16 seeds");
        Assert.True(seeds.Sum(s => s.Nodes * s.Mix.Sum(m => m.PerNode)) <= 48 + Tolerance, "seeds carry more pods than there are");
    }

    [Fact]
    public void TheSeededPlanKeepsWithinNodePoolLimits()
    {
        // 20 cpu of capacity hold at most 20 one-cpu pods; the cheapest such plan is c16 + c4 = 0.80/h
        // (five c4 would be 1.00/h). The other 28 pods are unschedulable because of the limit.
        var input = LimitedPool();

        var o = new Outcome(input, ProvisioningSolver.Solve(input));

        Assert.Equal(20, o.Result.Summary.Scheduled);
        Assert.Equal(28, o.Result.Unschedulable.Count);
        Assert.All(o.Result.Unschedulable, u => o.AssertUnschedulable(u.Pod, "limit"));
        var capacity = o.Claims.Sum(c => input.Catalog.InstanceTypes.Single(t => t.Name == c.InstanceType).Capacity.MilliCpu);
        Assert.True(capacity <= 20_000, $"claims have {capacity}m cpu of capacity, limit 20");
        Assert.Equal(["c16", "c4"], o.Claims.Select(c => c.InstanceType).Order(StringComparer.Ordinal));
        Assert.Equal(0.80, o.Result.Summary.PricePerHour, Tolerance);
        PlanChecker.AssertValid(input, o.Result);
    }

    /// <summary>
    /// A tainted pool only "web" tolerates; 12 one-cpu pods with zonal spread (maxSkew 1) over two zones, so
    /// 6 per zone. big holds 4 pods at 4.00/h, mid 3 at 2.70/h, small 1 at 1.20/h.
    /// </summary>
    private static SchedulingInput SpreadOverThreeSizes() =>
        new Scenario("zone-a", "zone-b")
            .Type("big", "4", "16Gi", 4.00)
            .Type("mid", "3", "12Gi", 2.70)
            .Type("small", "1", "4Gi", 1.20)
            .Pool(new NodePoolBuilder("dedicated").Taint("dedicated", "web"))
            .Replicas(12, "web", p => p.Label("app", "web").Tolerate("dedicated", "web").Spread(WellKnownLabels.Zone, 1, "app", "web"), cpu: "1")
            .Input();

    [Fact]
    public void SingleGroupClaimsAreCoveredByTheCheapestWholeNodes()
    {
        // Per zone, 6 pods: two mids = 5.40/h beat big + mid (6.70), big + two smalls (6.40), mid + three smalls
        // (6.30) and six smalls (7.20), so 10.80/h for both zones. The group shares no node with another, so the
        // bound is that exact cost too.
        var input = SpreadOverThreeSizes();

        var o = new Outcome(input, ProvisioningSolver.Solve(input, WithBound));

        Assert.Equal(12, o.Result.Summary.Scheduled);
        Assert.Equal([6, 6], o.ZoneCounts(Enumerable.Range(0, 12).Select(i => $"web-{i}")));
        Assert.Equal(10.80, o.Result.Summary.PricePerHour, Tolerance);
        Assert.Equal(10.80, o.Result.Summary.LowerBoundPerHour!.Value, Tolerance);
        foreach (var zone in new[] { "zone-a", "zone-b" })
        {
            Assert.Equal(["mid", "mid"], o.Claims.Where(c => c.Zone == zone).Select(c => c.InstanceType));
        }

        PlanChecker.AssertValid(input, o.Result);
    }

    [Fact]
    public void TheCoverReplacesDearerPackedClaims()
    {
        // Karpenter's packing fills the largest type first: per zone a big (4 pods, 4.00) and a mid for the
        // other 2 (2.70), 13.40/h in all. The cover puts the same 12 pods on two mids per zone, 10.80/h.
        var model = new SolverModel(SpreadOverThreeSizes(), SolverOptions.Default);
        var run = new SchedulerRun(model, PackingStrategy.FillLargest);
        run.Run();

        var packed = run.Claims.Sum(c => Cheapest(model, c, c.Used).Price);
        var parts = SingleGroupCover.Parts(model, run.Claims, c => Cheapest(model, c, c.Used).Price);

        Assert.True(packed > 10.80 + Tolerance, $"packing alone costs {packed}");
        Assert.Equal(10.80, parts.Sum(p => Cheapest(model, p.Claim, p.Used).Price), Tolerance);
        Assert.Equal(12, parts.SelectMany(p => p.Pods).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(
            ["mid", "mid", "mid", "mid"],
            parts.Select(p => model.Index.Types[Cheapest(model, p.Claim, p.Used).Type].Name));
    }

    // The type a claim (or one part of its cover) launches, as the solver picks it: the cheapest of the pool's
    // types that its requirements allow and whose room holds what it carries.
    private static (int Type, double Price) Cheapest(SolverModel model, ClaimTarget claim, ResourceVector used)
    {
        var prices = model.Index.Prices(claim.Requirements);
        var type = claim.Pool.Types.And(model.Index.For(claim.Requirements)).Indices()
            .Where(t => used.FitsIn(claim.Pool.Room[t]) && double.IsFinite(prices[t]))
            .MinBy(t => prices[t]);
        return (type, prices[type]);
    }

    private static (SchedulingInput Input, SchedulingResult Result) AwsSolve(AwsTopology topology, int pods) =>
        AwsSolves.GetOrAdd((topology, pods), key => new(() =>
        {
            var input = AwsMixedWorkload.Create(AwsCatalog.Value, key.Pods, 42, key.Topology);
            return (input, ProvisioningSolver.Solve(input, WithBound));
        })).Value;

    // Tests run from an artifacts folder that may be outside the repository: find data/ from this source file first.
    private static string AwsCatalogPath([CallerFilePath] string source = "")
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
