namespace Karpenter.Orleans.Abstractions;

/// <summary>What happened to an object.</summary>
[GenerateSerializer]
public enum DeltaType
{
    Upsert,
    Delete,
}
