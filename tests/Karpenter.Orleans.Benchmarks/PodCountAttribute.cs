namespace Karpenter.Orleans.Benchmarks;

/// <summary>How many pods a benchmark solves, for the pods/s column (the figure Karpenter quotes).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PodCountAttribute(int pods) : Attribute
{
    public int Pods { get; } = pods;
}
