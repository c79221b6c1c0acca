using Karpenter.Orleans.Scheduling.Optimization;

namespace Karpenter.Orleans.Scheduling.Provisioning.Internal;

/// <summary>
/// Rounds the LP's solution down to whole claims: each pattern's whole nodes become seeds carrying the
/// pattern's share of pods per node. Only pods that no topology, affinity, host port or preference ties to
/// other pods are seeded; what the rounding leaves (fractions of nodes, the other pods) is packed as usual.
/// </summary>
internal static class LpSeeds
{
    public static List<ClaimSeed> From(BoundModel built, LowerBoundResult result)
    {
        var seeds = new List<ClaimSeed>();
        foreach (var pattern in result.Patterns)
        {
            var nodes = (int)Math.Floor(pattern.Nodes + 1e-6);
            var (pool, type, zone) = built.Shapes[pattern.Shape];
            if (nodes < 1 || pool.Requirements.Any(r => r.MinValues is not null))
            {
                continue;
            }

            var mix = pattern.Pods
                .GroupBy(p => built.Owners[p.Group])
                .Where(p => IsFree(p.Key))
                .Select(p => (Group: p.Key, PerNode: p.Sum(x => x.Pods) / pattern.Nodes))
                .OrderBy(p => p.Group.Index)
                .ToList();
            if (mix.Count > 0)
            {
                seeds.Add(new ClaimSeed(pool, type, zone, nodes, mix));
            }
        }

        return seeds;
    }

    /// <summary>About how many pods the seeds place: whole pods per node of each group, times the nodes.</summary>
    public static long WholePods(IEnumerable<ClaimSeed> seeds) =>
        seeds.Sum(s => s.Mix.Sum(m => (long)Math.Floor(m.PerNode + 1e-6)) * s.Nodes);

    /// <summary>Pods whose placement constrains no other pod and that nothing but their own node selection constrains.</summary>
    public static bool IsFree(PodGroup g) =>
        g.InvalidReason is null && !g.HasPreferences && g.RequiredTerms.Count <= 1 && g.HostPorts.Count == 0 && !g.TopologyGroups().Any();
}
