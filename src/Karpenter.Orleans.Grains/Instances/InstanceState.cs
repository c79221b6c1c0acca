namespace Karpenter.Orleans.Grains.Instances;

/// <summary>Persisted instance record.</summary>
public sealed class InstanceState
{
    public InstanceRecord? Record { get; set; }
}
