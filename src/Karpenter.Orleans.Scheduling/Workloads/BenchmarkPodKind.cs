namespace Karpenter.Orleans.Scheduling.Workloads;

/// <summary>The five shapes of the benchmark's diverse pods, in the order of their blocks.</summary>
internal enum BenchmarkPodKind
{
    Plain,
    ZonalSpread,
    HostnameSpread,
    ZonalAffinity,
    HostnameAntiAffinity,
}
