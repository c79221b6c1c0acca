namespace Karpenter.Orleans.Grains.NodePools;

/// <summary>Persisted NodePool: the manifest as the agent sent it, its validation and the last usage.</summary>
public sealed class NodePoolState
{
    public string? Manifest { get; set; }

    public bool Valid { get; set; }

    public string? Error { get; set; }

    public int Weight { get; set; }

    public Dictionary<string, string> Limits { get; set; } = new(StringComparer.Ordinal);

    public NodePoolUsage? Usage { get; set; }
}
