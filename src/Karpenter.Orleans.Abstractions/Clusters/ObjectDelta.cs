namespace Karpenter.Orleans.Abstractions;

/// <summary>One change to one object. Sequence numbers rise by one per change within an agent session; a change already applied is ignored. Json is absent for deletes.</summary>
[GenerateSerializer, Immutable]
public sealed record ObjectDelta(
    long Sequence,
    DeltaType Type,
    ObjectKind Kind,
    string? Namespace,
    string Name,
    string? Json = null);
