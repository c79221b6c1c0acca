namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>What a <see cref="YamlEvent"/> is.</summary>
internal enum YamlEventKind
{
    StreamStart,
    StreamEnd,
    DocumentStart,
    DocumentEnd,
    MappingStart,
    MappingEnd,
    SequenceStart,
    SequenceEnd,
    Scalar,
}
