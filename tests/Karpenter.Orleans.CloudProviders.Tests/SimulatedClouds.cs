using Karpenter.Orleans.CloudProviders.Simulated;
using Microsoft.Extensions.Time.Testing;

namespace Karpenter.Orleans.CloudProviders.Tests;

/// <summary>Builds simulated clouds for tests: a fixed start time and automatic interruptions off unless a test wants them.</summary>
internal static class SimulatedClouds
{
    /// <summary>A Monday 10:00 UTC, so hours and days in the tests are easy to read.</summary>
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    public static FakeTimeProvider Clock() => new(Start);

    public static SimulatedCloudOptions Options(Action<SimulatedCloudOptions>? configure = null)
    {
        var options = new SimulatedCloudOptions { AutomaticInterruptions = false };
        configure?.Invoke(options);
        return options;
    }

    public static SimulatedCloudProvider Create(TimeProvider time, Action<SimulatedCloudOptions>? configure = null) =>
        new(Options(configure), time);

    public static LaunchRequest Request(string region, params LaunchOffering[] offerings) =>
        new(region, "111122223333", "cluster-a", "claim-" + Guid.NewGuid().ToString("n")[..8], "default", offerings,
            new Dictionary<string, string>(StringComparer.Ordinal), Guid.NewGuid().ToString("n"));

    public static LaunchOffering OnDemand(string type, string zone = "us-east-1a") => new(type, zone, "on-demand", 0);

    public static LaunchOffering Spot(string type, string zone = "us-east-1a") => new(type, zone, "spot", 0);
}
