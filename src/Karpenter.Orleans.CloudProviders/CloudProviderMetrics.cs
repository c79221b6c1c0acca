using System.Diagnostics.Metrics;

namespace Karpenter.Orleans.CloudProviders;

/// <summary>
/// Karpenter's cloud provider call metric, recorded by the registry's decorator for every provider. The meter
/// has the service's meter name, so the silo's exporter picks it up with the grains' instruments. Which
/// controller called is ambient (<see cref="Caller"/>), as Karpenter takes it from the reconcile context.
/// </summary>
public static class CloudProviderMetrics
{
    /// <summary>The exported name (a histogram in seconds; labels controller, method, provider).</summary>
    public const string Duration = "karpenter_cloudprovider_duration_seconds";

    /// <summary>The meter name the service exports (the grains' meter has the same name).</summary>
    public const string MeterName = "Karpenter.Orleans";

    /// <summary>The controller label of calls made outside any <see cref="Caller"/> scope.</summary>
    public const string UnknownController = "unknown";

    private static readonly Meter Meter = new(MeterName);

    private static readonly AsyncLocal<string?> Controller = new();

    internal static readonly Histogram<double> Calls = Meter.CreateHistogram(Duration[..^"_seconds".Length], "s", "Cloud provider calls",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });

    /// <summary>The controller whose calls are being made in this async flow.</summary>
    public static string CurrentController => Controller.Value ?? UnknownController;

    /// <summary>Labels the cloud provider calls of this async flow with <paramref name="controller"/> until disposed.</summary>
    public static IDisposable Caller(string controller)
    {
        var previous = Controller.Value;
        Controller.Value = controller;
        return new Restore(previous);
    }

    private sealed class Restore(string? previous) : IDisposable
    {
        public void Dispose() => Controller.Value = previous;
    }
}
