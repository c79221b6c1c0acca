using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Provisioning.Internal;

/// <summary>Something pods can be placed on: an existing node or a planned claim.</summary>
internal abstract class Target
{
    // Pods per topology group here, by the group's id (ids are dense from 0): read for every candidate target
    // of every chunk, so an array rather than a dictionary.
    private int[] _hostCounts = [];

    /// <summary>Required hostname anti-affinity groups with an owner pod here.</summary>
    public HashSet<int> AntiOwners { get; } = [];

    public List<HostPort> Ports { get; } = [];

    /// <summary>Pods placed here by this run, in placement order.</summary>
    public List<string> NewPods { get; } = [];

    public ResourceVector Used { get; set; }

    public int HostCount(int tg) => (uint)tg < (uint)_hostCounts.Length ? _hostCounts[tg] : 0;

    public void AddHostCount(int tg, int pods)
    {
        if (tg >= _hostCounts.Length)
        {
            Array.Resize(ref _hostCounts, Math.Max(tg + 1, _hostCounts.Length * 2));
        }

        _hostCounts[tg] += pods;
    }

    /// <summary>Copies this target's per-group counts onto <paramref name="other"/> (a clone).</summary>
    protected void CopyHostCountsTo(Target other) => other._hostCounts = (int[])_hostCounts.Clone();

    /// <summary>The value of a label key on this target, or null when not decided yet.</summary>
    public abstract string? Domain(string key);
}
