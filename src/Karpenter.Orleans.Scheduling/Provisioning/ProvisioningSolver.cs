using System.Diagnostics;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Optimization;
using Karpenter.Orleans.Scheduling.Provisioning.Internal;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Provisioning;

/// <summary>
/// Entry point of the provisioning solver: pending pods in, planned NodeClaims out. It packs with
/// Karpenter's semantics first (first-fit decreasing, existing nodes, then planned claims, then new
/// claims by NodePool weight), then, when <see cref="SolverOptions.Improve"/> is on, packs again with pod
/// groups interleaved: by least added cost, aiming new claims at the type that carries the pending pods'
/// mix most cheaply, and, on workloads of few distinct pods, starting from the LP optimum rounded down to
/// whole nodes; and each group packed alone (<see cref="PerGroupPacking"/>), so the plan is never dearer than
/// that. It keeps the plan that schedules the most pods at the lowest price. Every strategy honours every
/// constraint; the LP relaxation gives the lower bound the plan is measured against.
/// </summary>
public static class ProvisioningSolver
{
    public static SchedulingResult Solve(SchedulingInput input, SolverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        options ??= SolverOptions.Default;
        var clock = Stopwatch.StartNew();
        return SolveModel(new SolverModel(input, options), options, clock);
    }

    /// <summary>
    /// Solves <paramref name="input"/> and plans what Karpenter's first fit (<see cref="KarpenterFirstFit"/>) would
    /// launch for it, side by side on one compiled model (compiling the pods is most of a model's cost).
    /// </summary>
    public static (SchedulingResult Result, FirstFitPlan FirstFit) SolveWithFirstFit(SchedulingInput input, SolverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        options ??= SolverOptions.Default;
        var clock = Stopwatch.StartNew();
        var model = new SolverModel(input, options);
        var firstFit = Task.Factory.StartNew(() => KarpenterFirstFit.Plan(model), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var result = SolveModel(model, options, clock);
        return (result, firstFit.GetAwaiter().GetResult());
    }

    private static SchedulingResult SolveModel(SolverModel model, SolverOptions options, Stopwatch clock)
    {

        // The strategies are independent packings of one model: run them side by side and keep the best
        // in a fixed order, so the result does not depend on which finishes first.
        var improve = options.Improve && model.Groups.Count > 0 && model.Pools.Count > 0;
        var mixTask = improve ? Task.Run(() => Pack(model, PackingStrategy.MixTarget, MixRounds)) : null;

        // Rounding the LP's solution pays when there are few distinct pods, most of them free to go anywhere
        // their node selection allows (the rounding seeds only those), and no existing nodes to fill first
        // (the LP knows nothing of them); its LP is also the lower bound then. It takes the place of the
        // marginal-cost packing, which it beats on such workloads, so the solve uses no more cores.
        var seedable = model.Groups.Where(LpSeeds.IsFree).Sum(g => g.Count);
        var lpTask = improve && model.Groups.Count <= MaxGroupsForLpSeeds && model.InitialNodes.Count == 0 && seedable * 2 >= model.PendingCount
            ? Task.Run(() => PackFromLp(model))
            : null;
        var marginalTask = improve && lpTask is null ? Task.Run(() => Pack(model, PackingStrategy.MarginalCost, InterleaveRounds)) : null;
        var best = Pack(model, PackingStrategy.FillLargest);
        var greedyCost = best.Cost;
        Trace($"greedy {greedyCost:F3} ({clock.ElapsedMilliseconds} ms)");

        // The per-group packing is a valid plan like the others (one pass, no sharing): keeping the better
        // of it and the rest makes "never dearer than the per-group packing" hold by construction.
        var perGroup = improve ? Pack(model, PackingStrategy.PerGroup) : null;
        Trace($"per-group {perGroup?.Cost:F3} ({clock.ElapsedMilliseconds} ms)");
        if (marginalTask is not null)
        {
            var marginalPlan = marginalTask.GetAwaiter().GetResult();
            Trace($"marginal-cost {marginalPlan.Cost:F3} ({clock.ElapsedMilliseconds} ms)");
            best = Better(best, marginalPlan);
        }

        if (mixTask is not null)
        {
            var mixPlan = mixTask.GetAwaiter().GetResult();
            Trace($"mix-target {mixPlan.Cost:F3} ({clock.ElapsedMilliseconds} ms)");
            best = Better(best, mixPlan);
        }

        double? lpBound = null;
        if (lpTask is not null)
        {
            var (lpPlan, lpBoundValue) = lpTask.GetAwaiter().GetResult();
            lpBound = lpBoundValue;
            Trace($"lp-seeded {lpPlan?.Cost:F3} ({clock.ElapsedMilliseconds} ms)");
            if (lpPlan is not null)
            {
                best = Better(best, lpPlan);
            }
            else
            {
                // The LP's nodes hold too few whole pods of each group to seed from (many small groups):
                // pack by marginal cost after all.
                var marginalPlan = Pack(model, PackingStrategy.MarginalCost, InterleaveRounds);
                Trace($"marginal-cost {marginalPlan.Cost:F3} ({clock.ElapsedMilliseconds} ms)");
                best = Better(best, marginalPlan);
            }
        }

        if (perGroup is not null && model.InitialNodes.Count == 0 && best.Cost > perGroup.Cost * PerGroupSeedingThreshold)
        {
            // Starting from each group packed alone on its cheapest offering: where sharing nodes saves
            // little (prices that differ per zone and capacity type make most groups' own offerings the
            // cheapest), the interleaved packings can lose to it. That packing starts at the per-group
            // cost and improves it by a few percent at most, so it runs only when the plan is not already
            // well below that cost.
            var seeded = new SchedulerRun(model, PackingStrategy.MixTarget, seeds: PerGroupPacking.Seeds(model, perGroup.Run));
            seeded.Run(MixRounds);
            var seededPlan = Finalize(model, seeded);
            Trace($"per-group-seeded {seededPlan.Cost:F3} ({clock.ElapsedMilliseconds} ms)");
            best = Better(best, seededPlan);
        }

        if (perGroup is not null)
        {
            best = Better(best, perGroup);
        }

        double? bound = null;
        if (options.ComputeLowerBound)
        {
            // The bound covers the pods this plan puts on new claims: existing nodes cost nothing.
            var onClaims = best.Run.Claims.SelectMany(c => c.NewPods).ToHashSet(StringComparer.Ordinal);
            var all = onClaims.Count == model.Groups.Sum(g => g.Count);
            if (all && lpBound is not null)
            {
                bound = lpBound;
            }
            else
            {
                var built = LowerBoundBuilder.Build(model, all ? null : onClaims);
                bound = LowerBoundSolver.Solve(built.Problem).PricePerHour + built.IsolatedCost;
            }

            Trace($"lower bound {bound:F3} ({clock.ElapsedMilliseconds} ms)");
        }

        return Result(model, best, clock.Elapsed.TotalSeconds, greedyCost, bound);
    }

    /// <summary>The per-group packing of <paramref name="input"/> as a plan (see <see cref="PerGroupPacking"/>), with the model it was packed on.</summary>
    internal static (SchedulingResult Result, SolverModel Model) PerGroup(SchedulingInput input, SolverOptions options)
    {
        var clock = Stopwatch.StartNew();
        var model = new SolverModel(input, options);
        var plan = Pack(model, PackingStrategy.PerGroup);
        return (Result(model, plan, clock.Elapsed.TotalSeconds, null, null), model);
    }

    private static SchedulingResult Result(SolverModel model, Plan best, double elapsed, double? greedyCost, double? bound)
    {
        var unschedulable = best.Run.Unplaced()
            .SelectMany(u => u.Group.PodKeys.Skip(u.Placed).Select(p => new UnschedulablePod(p, u.Reason)))
            .OrderBy(u => u.Pod, StringComparer.Ordinal)
            .ToList();
        var existing = best.Run.Nodes.Where(n => n.NodeClaim is null && n.NewPods.Count > 0)
            .Select(n => new ExistingNodePlacement(n.Name, n.NewPods.Order(StringComparer.Ordinal).ToList()))
            .ToList();
        var inFlight = best.Run.Nodes.Where(n => n.NodeClaim is not null && n.NewPods.Count > 0)
            .Select(n => new NodeClaimPlacement(n.NodeClaim!, n.NewPods.Order(StringComparer.Ordinal).ToList()))
            .OrderBy(p => p.NodeClaim, StringComparer.Ordinal)
            .ToList();
        var scheduled = model.PendingCount - unschedulable.Count;
        var summary = new SchedulingSummary
        {
            Pods = model.PendingCount,
            Scheduled = scheduled,
            Unschedulable = unschedulable.Count,
            NodeClaims = best.Claims.Count,
            PricePerHour = Math.Round(best.Cost, 6),
            SolveSeconds = elapsed,
            GreedyPricePerHour = greedyCost is { } greedy ? Math.Round(greedy, 6) : null,
            LowerBoundPerHour = bound is null ? null : Math.Round(bound.Value, 6),
            GapPercent = bound is > 0 ? Math.Round((best.Cost - bound.Value) / bound.Value * 100, 3) : bound is null ? null : 0,
        };
        return new SchedulingResult(best.Claims, existing, unschedulable, summary) { NodeClaimPlacements = inFlight };
    }

    private static void Trace(string message)
    {
        if (Environment.GetEnvironmentVariable("KARPO_TRACE") == "1")
        {
            Console.Error.WriteLine($"solver: {message}");
        }
    }

    /// <summary>Rounds of the interleaved marginal-cost pass: each round places a 1/32 share of every group.</summary>
    private const int InterleaveRounds = 32;

    /// <summary>Rounds of the mix-target pass; more rounds keep each claim's mix closer to the pending mix.</summary>
    private const int MixRounds = 64;

    /// <summary>The per-group-seeded packing runs when the plan costs more than this share of the per-group packing.</summary>
    private const double PerGroupSeedingThreshold = 0.97;

    /// <summary>Most pod groups for which the solver solves the LP to seed a packing (the LP grows with the groups).</summary>
    private const int MaxGroupsForLpSeeds = 256;

    /// <summary>The mix-target packing started from the LP's whole nodes; null when those would hold under half the pods.</summary>
    private static (Plan? Plan, double Bound) PackFromLp(SolverModel model)
    {
        var built = LowerBoundBuilder.Build(model, null);
        var lp = LowerBoundSolver.Solve(built.Problem);
        var bound = lp.PricePerHour + built.IsolatedCost;
        var seeds = LpSeeds.From(built, lp);
        if (LpSeeds.WholePods(seeds) * 2 < model.PendingCount)
        {
            return (null, bound);
        }

        var run = new SchedulerRun(model, PackingStrategy.MixTarget, seeds: seeds);
        run.Run(MixRounds);
        return (Finalize(model, run), bound);
    }

    private static Plan Pack(SolverModel model, PackingStrategy strategy, int rounds = 1)
    {
        var run = new SchedulerRun(model, strategy);
        run.Run(rounds);
        return Finalize(model, run);
    }

    private static Plan Better(Plan a, Plan b)
    {
        var scheduledA = a.Run.Claims.Sum(c => c.NewPods.Count) + a.Run.Nodes.Sum(n => n.NewPods.Count);
        var scheduledB = b.Run.Claims.Sum(c => c.NewPods.Count) + b.Run.Nodes.Sum(n => n.NewPods.Count);
        if (scheduledA != scheduledB)
        {
            return scheduledB > scheduledA ? b : a;
        }

        return b.Cost < a.Cost - 1e-9 ? b : a;
    }

    private static Plan Finalize(SolverModel model, SchedulerRun run)
    {
        var names = new ClaimNames();
        var parts = SingleGroupCover.Parts(model, run.Claims, c => LaunchPrice(model, c));
        var claims = new List<PlannedNodeClaim>(parts.Count);
        var cost = 0.0;
        var byPrice = new Dictionary<(PoolTemplate, Model.RequirementSet), int[]>();
        foreach (var part in parts)
        {
            var c = part.Claim;
            var pool = c.Pool;
            var options = Options(model, pool, c.Requirements, part.Used, part.Reserved, byPrice);
            var launchType = options[0];
            var offering = model.Index.CheapestOffering(launchType, c.Requirements)!;
            var type = model.Index.Types[launchType];
            var reported = Truncate(model, options, c.MinValues, model.Options.MaxInstanceTypes);

            var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var (k, v) in c.Requirements.SingleValueLabels())
            {
                if (!type.Labels.ContainsKey(k) || k == WellKnownLabels.InstanceType)
                {
                    labels[k] = v;
                }
            }

            foreach (var (k, v) in pool.Pool.Labels)
            {
                labels[k] = v;
            }

            labels[WellKnownLabels.NodePool] = pool.Name;
            labels[WellKnownLabels.InstanceType] = type.Name;
            labels[WellKnownLabels.Zone] = offering.Zone;
            labels[WellKnownLabels.CapacityType] = offering.CapacityType;
            if (model.Index.Catalog.Region is { } region)
            {
                labels[WellKnownLabels.Region] = region;
            }

            cost += offering.Price;
            claims.Add(new PlannedNodeClaim
            {
                Name = names.Next(pool.Name),
                NodePool = pool.Name,
                InstanceType = type.Name,
                Zone = offering.Zone,
                CapacityType = offering.CapacityType,
                PricePerHour = offering.Price,
                InstanceTypeOptions = reported,
                Labels = labels,
                Taints = pool.Pool.Taints,
                Requests = part.Used + pool.Overhead[launchType],
                Pods = part.Pods.Order(StringComparer.Ordinal).ToList(),
                MinValuesRelaxed = c.MinValuesRelaxed,
                Requirements = c.Requirements,
            });
        }

        return new Plan(run, claims, cost);
    }

    /// <summary>What the claim launches at: the price of the first of its <see cref="Options"/>, found without sorting them.</summary>
    private static double LaunchPrice(SolverModel model, ClaimTarget c)
    {
        var prices = model.Index.Prices(c.Requirements);
        var best = double.PositiveInfinity;
        foreach (var t in c.Pool.Types.And(model.Index.For(c.Requirements)).Indices())
        {
            if (prices[t] < best && IsOption(model, c.Pool, t, c.Used, c.Reserved))
            {
                best = prices[t];
            }
        }

        return best;
    }

    /// <summary>
    /// Every type of the pool that satisfies the claim's requirements and holds its pods within what it
    /// reserved against limits, cheapest first (name breaks ties): the first is what the claim launches.
    /// Claims of one pool and requirements share the sorted candidates (<paramref name="byPrice"/>).
    /// </summary>
    private static List<int> Options(SolverModel model, PoolTemplate pool, Model.RequirementSet reqs, ResourceVector used, ResourceVector reserved, Dictionary<(PoolTemplate, Model.RequirementSet), int[]> byPrice)
    {
        if (!byPrice.TryGetValue((pool, reqs), out var sorted))
        {
            var prices = model.Index.Prices(reqs);
            var candidates = new List<int>();
            foreach (var t in pool.Types.And(model.Index.For(reqs)).Indices())
            {
                if (double.IsFinite(prices[t]))
                {
                    candidates.Add(t);
                }
            }

            candidates.Sort((x, y) =>
            {
                var p = prices[x].CompareTo(prices[y]);
                return p != 0 ? p : string.CompareOrdinal(model.Index.Types[x].Name, model.Index.Types[y].Name);
            });
            sorted = [.. candidates];
            byPrice[(pool, reqs)] = sorted;
        }

        var options = new List<int>();
        foreach (var t in sorted)
        {
            if (IsOption(model, pool, t, used, reserved))
            {
                options.Add(t);
            }
        }

        return options;
    }

    /// <summary>Whether type <paramref name="t"/> holds the pods and stays within what the claim reserved against limits.</summary>
    private static bool IsOption(SolverModel model, PoolTemplate pool, int t, ResourceVector used, ResourceVector reserved) =>
        used.FitsIn(pool.Room[t]) && (pool.Limits.Count == 0 || WithinReserved(model.Index.Capacity[t], reserved, pool));

    /// <summary>The cheapest <paramref name="max"/> types, extended when needed to keep minValues.</summary>
    private static List<string> Truncate(SolverModel model, List<int> ordered, Dictionary<string, int>? minValues, int max)
    {
        var keep = ordered.Take(max).ToList();
        if (minValues is not null)
        {
            foreach (var (key, mv) in minValues)
            {
                var seen = keep.Select(t => model.Index.Types[t].Labels.GetValueOrDefault(key)).Where(v => v is not null).ToHashSet(StringComparer.Ordinal);
                foreach (var t in ordered.Skip(keep.Count))
                {
                    if (seen.Count >= mv)
                    {
                        break;
                    }

                    if (model.Index.Types[t].Labels.GetValueOrDefault(key) is { } v && seen.Add(v))
                    {
                        keep.Add(t);
                    }
                }
            }
        }

        return keep.Select(t => model.Index.Types[t].Name).ToList();
    }

    private static bool WithinReserved(ResourceVector capacity, ResourceVector reserved, PoolTemplate pool)
    {
        foreach (var (name, _) in pool.Limits)
        {
            if (capacity.Get(name) > reserved.Get(name))
            {
                return false;
            }
        }

        return true;
    }

    private sealed record Plan(SchedulerRun Run, List<PlannedNodeClaim> Claims, double Cost);
}
