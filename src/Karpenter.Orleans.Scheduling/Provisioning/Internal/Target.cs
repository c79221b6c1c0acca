using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Provisioning.Internal;

/// <summary>Something pods can be placed on: an existing node or a planned claim.</summary>
internal abstract class Target
{
    public Dictionary<int, int> HostCounts { get; } = [];

    /// <summary>Required hostname anti-affinity groups with an owner pod here.</summary>
    public HashSet<int> AntiOwners { get; } = [];

    public List<HostPort> Ports { get; } = [];

    /// <summary>Pods placed here by this run, in placement order.</summary>
    public List<string> NewPods { get; } = [];

    public ResourceVector Used { get; set; }

    public int HostCount(int tg) => HostCounts.TryGetValue(tg, out var c) ? c : 0;

    /// <summary>The value of a label key on this target, or null when not decided yet.</summary>
    public abstract string? Domain(string key);
}
