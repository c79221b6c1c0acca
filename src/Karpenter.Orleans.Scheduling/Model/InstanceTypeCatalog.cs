namespace Karpenter.Orleans.Scheduling.Model;

/// <summary>The instance types a cloud offers in one region, in catalog order.</summary>
public sealed class InstanceTypeCatalog
{
    public InstanceTypeCatalog(IReadOnlyList<string> zones, IReadOnlyList<InstanceType> instanceTypes, string? region = null)
    {
        Zones = zones;
        InstanceTypes = instanceTypes;
        Region = region;
        var known = new HashSet<string>(WellKnownLabels.Core, StringComparer.Ordinal);
        foreach (var it in instanceTypes)
        {
            known.UnionWith(it.Labels.Keys);
        }

        WellKnownLabelKeys = known;
    }

    public IReadOnlyList<string> Zones { get; }

    public IReadOnlyList<InstanceType> InstanceTypes { get; }

    public string? Region { get; }

    /// <summary>Core well-known labels plus every label key the provider's types carry.</summary>
    public ISet<string> WellKnownLabelKeys { get; }
}
