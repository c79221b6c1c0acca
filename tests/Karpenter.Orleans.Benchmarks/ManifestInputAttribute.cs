namespace Karpenter.Orleans.Benchmarks;

/// <summary>Which <see cref="ManifestInput"/> a benchmark reads, for the MB/s column.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ManifestInputAttribute(string format, int pods) : Attribute
{
    public string Format { get; } = format;

    public int Pods { get; } = pods;
}
