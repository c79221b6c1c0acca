using Karpenter.Orleans.Scheduling.Manifests;
using Karpenter.Orleans.Scheduling.Provisioning;
using Karpenter.Orleans.Scheduling.Workloads;

namespace Karpenter.Orleans.Benchmarks;

/// <summary>One benchmark case: how to build its input (outside the measurement) and how to solve it.</summary>
public sealed record SolveCase(string Name, int Pods, Func<SchedulingInput> CreateInput, SolverOptions Options)
{
    public static readonly SolveCase Scheduling1000 = Diverse(1000);
    public static readonly SolveCase Scheduling5000 = Diverse(5000);
    public static readonly SolveCase Scheduling10000 = Diverse(10000);
    public static readonly SolveCase Scheduling20000 = Diverse(20000);

    /// <summary>Karpenter's BenchmarkRespectPreferences: 4,000 preference pods, preferences tried then relaxed.</summary>
    public static readonly SolveCase RespectPreferences4000 =
        new(nameof(RespectPreferences4000), 4000, () => BenchmarkWorkload.Create(4000, preferences: true), SolverOptions.Default);

    /// <summary>Karpenter's BenchmarkIgnorePreferences: the same pods with PREFERENCE_POLICY=Ignore.</summary>
    public static readonly SolveCase IgnorePreferences4000 =
        new(nameof(IgnorePreferences4000), 4000, () => BenchmarkWorkload.Create(4000, preferences: true), SolverOptions.Default with { PreferencePolicy = PreferencePolicy.Ignore });

    public static readonly SolveCase AwsMixed10000 =
        new(nameof(AwsMixed10000), 10000, () => AwsMixedWorkload.Create(CatalogLoader.Load(CatalogPath.Resolve()), 10000), SolverOptions.Default);

    /// <summary>The AWS mix without hostname anti-affinity or hostname spread: the workload class of the 3% cost goal.</summary>
    public static readonly SolveCase AwsNoHostname10000 =
        new(nameof(AwsNoHostname10000), 10000, () => AwsMixedWorkload.Create(CatalogLoader.Load(CatalogPath.Resolve()), 10000, topology: AwsTopology.NoHostname), SolverOptions.Default);

    /// <summary>The AWS mix without any topology constraint.</summary>
    public static readonly SolveCase AwsNoTopology10000 =
        new(nameof(AwsNoTopology10000), 10000, () => AwsMixedWorkload.Create(CatalogLoader.Load(CatalogPath.Resolve()), 10000, topology: AwsTopology.None), SolverOptions.Default);

    public static IReadOnlyList<SolveCase> All { get; } =
        [Scheduling1000, Scheduling5000, Scheduling10000, Scheduling20000, RespectPreferences4000, IgnorePreferences4000, AwsMixed10000, AwsNoHostname10000, AwsNoTopology10000];

    private static SolveCase Diverse(int pods) =>
        new($"Scheduling{pods}", pods, () => BenchmarkWorkload.Create(pods), SolverOptions.Default);
}
