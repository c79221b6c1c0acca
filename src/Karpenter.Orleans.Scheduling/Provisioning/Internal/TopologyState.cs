namespace Karpenter.Orleans.Scheduling.Provisioning.Internal;

/// <summary>Mutable counts of one solve run, per topology group: matching pods per domain and owner domains.</summary>
internal sealed class TopologyState
{
    private readonly Dictionary<string, int>[] _counts;
    private readonly HashSet<string>[] _owners;
    private readonly int[] _totals;

    public TopologyState(int groups)
    {
        _counts = new Dictionary<string, int>[groups];
        _owners = new HashSet<string>[groups];
        _totals = new int[groups];
        for (var i = 0; i < groups; i++)
        {
            _counts[i] = new(StringComparer.Ordinal);
            _owners[i] = new(StringComparer.Ordinal);
        }
    }

    public int Count(TopologyGroup tg, string domain) => _counts[tg.Id].TryGetValue(domain, out var c) ? c : 0;

    public void Add(TopologyGroup tg, string? domain, int k)
    {
        _totals[tg.Id] += k;
        if (domain is not null)
        {
            _counts[tg.Id][domain] = Count(tg, domain) + k;
        }
    }

    public int Total(TopologyGroup tg) => _totals[tg.Id];

    public IReadOnlySet<string> Owners(TopologyGroup tg) => _owners[tg.Id];

    public void AddOwner(TopologyGroup tg, string domain) => _owners[tg.Id].Add(domain);

    public TopologyState Clone()
    {
        var copy = new TopologyState(_totals.Length);
        for (var i = 0; i < _totals.Length; i++)
        {
            foreach (var (k, v) in _counts[i])
            {
                copy._counts[i][k] = v;
            }

            copy._owners[i].UnionWith(_owners[i]);
            copy._totals[i] = _totals[i];
        }

        return copy;
    }
}
