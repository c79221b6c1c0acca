namespace Karpenter.Orleans.Scheduling.Provisioning.Internal;

/// <summary>
/// The hostname-level constraints of a pod group at one relaxation step, flattened once so the hot
/// loop over nodes and claims does no enumeration or selector matching.
/// </summary>
internal sealed class RelaxedView
{
    public RelaxedView(PodGroup g, Relaxation relax)
    {
        foreach (var tg in relax.Spreads(g).Where(t => t.IsHostname))
        {
            if (tg.Matches(g.Namespace, g.Labels))
            {
                SelfSpread.Add((tg.Id, tg.MaxSkew));
            }
            else
            {
                OtherSpread.Add((tg.Id, tg.MaxSkew));
            }
        }

        foreach (var tg in relax.AntiAffinity(g).Where(t => t.IsHostname))
        {
            Anti.Add((tg.Id, tg.Matches(g.Namespace, g.Labels)));
        }

        foreach (var tg in relax.Affinity(g).Where(t => t.IsHostname))
        {
            Affinity.Add((tg, tg.Matches(g.Namespace, g.Labels)));
        }

        Repelled.AddRange(g.RepelledBy.Where(t => t.IsHostname).Select(t => t.Id));
        AntiOwned = relax.AntiAffinity(g).ToList();
        IsEmpty = SelfSpread.Count == 0 && OtherSpread.Count == 0 && Anti.Count == 0 && Affinity.Count == 0 && Repelled.Count == 0 && g.HostPorts.Count == 0;
    }

    public List<(int Id, int MaxSkew)> SelfSpread { get; } = [];

    public List<(int Id, int MaxSkew)> OtherSpread { get; } = [];

    public List<(int Id, bool Self)> Anti { get; } = [];

    public List<(TopologyGroup Group, bool Self)> Affinity { get; } = [];

    public List<int> Repelled { get; } = [];

    /// <summary>Every anti-affinity group (any key) the pods own at this step.</summary>
    public List<TopologyGroup> AntiOwned { get; }

    public bool IsEmpty { get; }
}
