namespace Karpenter.Orleans.Silo.Telemetry;

/// <summary>The meters and activity sources the silo exports.</summary>
internal static class TelemetrySources
{
    public const string ServiceName = "karpenter-orleans";

    /// <summary>The grains' meter and activity source.</summary>
    public const string Karpo = "Karpenter.Orleans";

    public const string OrleansMeter = "Microsoft.Orleans";

    public static readonly string[] ActivitySources = ["Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application", Karpo];

    public const string MetricsPath = "/metrics";
}
