using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace Karpenter.Orleans.Benchmarks;

/// <summary>
/// BenchmarkDotNet's defaults plus one short job: one process, one warm-up and five measured solves.
/// The large cases take seconds each and the build machines have two cores, so the default job (many
/// launches and iterations) would take hours. Options such as <c>--iterationCount</c> adjust the short
/// job; <c>--job</c> replaces it (see <see cref="For"/>).
/// </summary>
public sealed class ShortRunConfig : ManualConfig
{
    public ShortRunConfig(bool addShortJob = true)
    {
        Add(DefaultConfig.Instance);
        if (addShortJob)
        {
            AddJob(Job.Default.WithId("Short").WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(5).AsDefault());
        }

        AddColumn(new PodsPerSecondColumn());
        AddColumn(new MegabytesPerSecondColumn());
    }

    /// <summary>
    /// The config for these command-line arguments. A default job in the global config wins over
    /// <c>--job</c> in BenchmarkDotNet, so the short job is left out when a job is named.
    /// </summary>
    public static ShortRunConfig For(IReadOnlyList<string> args) =>
        new(!args.Any(a => a is "--job" or "-j" || a.StartsWith("--job=", StringComparison.Ordinal)));
}
