using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Karpenter.Orleans.Grains.Telemetry;

/// <summary>
/// The service's meter and activity source (both named <see cref="Name"/>). Instrument names are the
/// Prometheus names of <see cref="MetricNames"/> without the suffixes the exporter adds (_total, units).
/// Gauges read the latest values grains published into <see cref="Gauges"/>.
/// </summary>
public static class KarpoTelemetry
{
    public const string Name = "Karpenter.Orleans";

    public static readonly ActivitySource Activities = new(Name);

    private static readonly Meter Meter = new(Name);

    public static readonly Counter<long> NodeClaimsCreated = Meter.CreateCounter<long>(Strip(MetricNames.NodeClaimsCreated), description: "NodeClaims created");

    public static readonly Counter<long> NodeClaimsTerminated = Meter.CreateCounter<long>(Strip(MetricNames.NodeClaimsTerminated), description: "NodeClaims terminated");

    public static readonly Counter<long> NodeClaimsDisrupted = Meter.CreateCounter<long>(Strip(MetricNames.NodeClaimsDisrupted), description: "NodeClaims disrupted");

    // Buckets sized for what each histogram measures: seconds to minutes for pods and nodes (the
    // scheduling SLO reads the 180 s bucket), milliseconds to a minute for solver and reconcile runs.
    private static readonly InstrumentAdvice<double> LatencyBuckets = new()
    {
        HistogramBucketBoundaries = [0.25, 0.5, 1, 2, 5, 10, 15, 30, 45, 60, 90, 120, 180, 240, 300, 600, 900, 1800],
    };

    private static readonly InstrumentAdvice<double> RunBuckets = new()
    {
        HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    };

    public static readonly Counter<long> VoluntaryDisruptionDecisions = Meter.CreateCounter<long>(Strip(MetricNames.VoluntaryDisruptionDecisions), description: "Disruption commands started by the planner");

    public static readonly Counter<long> VoluntaryDisruptionConsolidationTimeouts = Meter.CreateCounter<long>(Strip(MetricNames.VoluntaryDisruptionConsolidationTimeouts), description: "Consolidation passes that stopped at their limit with candidates left");

    public static readonly Histogram<double> VoluntaryDisruptionEvaluationDuration = Meter.CreateHistogram(Strip(MetricNames.VoluntaryDisruptionEvaluationDuration), "s", "One disruption pass", advice: RunBuckets);

    public static readonly Histogram<double> PodsStartupDuration = Meter.CreateHistogram(Strip(MetricNames.PodsStartupDuration), "s", "Pod creation to binding", advice: LatencyBuckets);

    public static readonly Histogram<double> SchedulingDuration = Meter.CreateHistogram(Strip(MetricNames.SchedulingDuration), "s", "One solver run", advice: RunBuckets);

    public static readonly Counter<long> CloudProviderErrors = Meter.CreateCounter<long>(Strip(MetricNames.CloudProviderErrors), description: "Cloud provider errors");

    public static readonly Counter<long> InterruptionMessages = Meter.CreateCounter<long>(Strip(MetricNames.InterruptionMessages), description: "Interruption messages received");

    public static readonly Histogram<double> PodSchedulingLatency = Meter.CreateHistogram(Strip(MetricNames.PodSchedulingLatency), "s", "Pending seen to bound", advice: LatencyBuckets);

    public static readonly Histogram<double> NodeClaimsTerminationDuration = Meter.CreateHistogram(Strip(MetricNames.NodeClaimsTerminationDuration), "s", "NodeClaim deletion to instance terminated", advice: LatencyBuckets);

    public static readonly Histogram<double> NodeProvisioningDuration = Meter.CreateHistogram(Strip(MetricNames.NodeProvisioningDuration), "s", "NodeClaim created to node initialized", advice: LatencyBuckets);

    public static readonly Counter<long> ProvisioningAttempts = Meter.CreateCounter<long>(Strip(MetricNames.ProvisioningAttempts), description: "Launch attempts by result");

    public static readonly Histogram<double> ReconcileDuration = Meter.CreateHistogram(Strip(MetricNames.ReconcileDuration), "s", "One cluster reconcile", advice: RunBuckets);

    public static readonly Counter<long> SpotInterruptions = Meter.CreateCounter<long>(Strip(MetricNames.SpotInterruptions), description: "Spot interruptions");

    public static readonly Counter<long> SpendCapBlocked = Meter.CreateCounter<long>(Strip(MetricNames.SpendCapBlocked), description: "Pods held back by a spend cap");

    public static readonly Counter<long> InstanceBindingConflicts = Meter.CreateCounter<long>(Strip(MetricNames.InstanceBindingConflicts), description: "Instances another NodeClaim tried to take");

    public static readonly Counter<long> PodsQuarantined = Meter.CreateCounter<long>(Strip(MetricNames.PodsQuarantined), description: "Pods quarantined because provisioning failed with them");

    /// <summary>Latest gauge values by metric and label set.</summary>
    public static readonly GaugeStore Gauges = new();

    static KarpoTelemetry()
    {
        foreach (var name in new[]
        {
            MetricNames.SchedulerQueueDepth, MetricNames.UnschedulablePods, MetricNames.NodePoolUsage, MetricNames.NodePoolLimit,
            MetricNames.ClusterCost, MetricNames.ClusterSpendCap, MetricNames.FleetCost, MetricNames.FleetSpendCap, MetricNames.AgentLag,
            MetricNames.Nodes, MetricNames.VoluntaryDisruptionEligibleNodes,
            MetricNames.NodesAllocatable, MetricNames.NodesSystemOverhead, MetricNames.NodesTotalPodRequests, MetricNames.NodesTotalDaemonRequests,
            MetricNames.PodsState, MetricNames.InstanceTypeCpuCores, MetricNames.InstanceTypeMemoryBytes,
            MetricNames.InstanceTypeOfferingAvailable, MetricNames.InstanceTypeOfferingPriceEstimate,
        })
        {
            var captured = name;
            Meter.CreateObservableGauge(captured, () => Gauges.Read(captured));
        }

        KeyValuePair<string, object?>[] build = [new("version", Version), new("commit", Commit), new("goversion", $"dotnet{Environment.Version}"), new("goarch", Architecture)];
        Meter.CreateObservableGauge(MetricNames.BuildInfo, () => new Measurement<double>(1, build));
    }

    /// <summary>The service's version (the assembly's informational version without the commit).</summary>
    public static string Version => Informational.Split('+')[0];

    /// <summary>The commit the service was built from, when the build knew it.</summary>
    public static string Commit => Informational.Contains('+', StringComparison.Ordinal) ? Informational[(Informational.IndexOf('+', StringComparison.Ordinal) + 1)..] : "";

    private static string Informational =>
        typeof(KarpoTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(KarpoTelemetry).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    // Karpenter's goarch values, so a dashboard's architecture filter reads the same.
    private static string Architecture => RuntimeInformation.ProcessArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        var other => other.ToString().ToLowerInvariant(),
    };

    /// <summary>The instrument name for an exported name: the exporter appends _total to counters and _seconds to histograms in seconds.</summary>
    public static string Strip(string exported) =>
        exported.EndsWith("_total", StringComparison.Ordinal) ? exported[..^"_total".Length]
        : exported.EndsWith("_seconds", StringComparison.Ordinal) ? exported[..^"_seconds".Length]
        : exported;
}
