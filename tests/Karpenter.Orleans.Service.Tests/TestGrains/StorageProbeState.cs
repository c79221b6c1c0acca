namespace Karpenter.Orleans.Service.Tests.TestGrains;

/// <summary>State of <see cref="StorageProbeGrain"/>: a count, a list and a nested record, to exercise the serializer.</summary>
[GenerateSerializer]
public sealed class StorageProbeState
{
    [Id(0)]
    public int Count { get; set; }

    [Id(1)]
    public List<string> Notes { get; set; } = [];

    [Id(2)]
    public StorageProbeEntry? Last { get; set; }
}
