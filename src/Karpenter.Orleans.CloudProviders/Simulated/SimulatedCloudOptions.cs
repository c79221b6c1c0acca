namespace Karpenter.Orleans.CloudProviders.Simulated;

/// <summary>
/// Settings of the simulated cloud (configuration section of <c>AddSimulatedCloud</c>). docs/simulated-cloud.md
/// describes each one and the rules they feed.
/// </summary>
public sealed class SimulatedCloudOptions
{
    /// <summary>The regions used when <see cref="Regions"/> is empty.</summary>
    public static readonly IReadOnlyList<string> DefaultRegions = ["us-east-1", "us-west-2", "eu-west-1"];

    /// <summary>The catalog looked for (walking up from the app and the current directory) when <see cref="CatalogPath"/> is not set.</summary>
    public const string DefaultCatalogFile = "data/aws-us-east-1-instance-types.json";

    /// <summary>
    /// Regions the cloud has; each gets zones "&lt;region&gt;a", "b" and "c". Empty means
    /// <see cref="DefaultRegions"/>. (A list default would be appended to by the configuration binder,
    /// so the default lives in <see cref="DefaultRegions"/> instead.)
    /// </summary>
    public IList<string> Regions { get; } = [];

    /// <summary>The instance-type catalog every region is built from; null finds <see cref="DefaultCatalogFile"/>.</summary>
    public string? CatalogPath { get; set; }

    /// <summary>How long a launched instance stays Pending before it is Running.</summary>
    public TimeSpan BootDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a terminated instance stays ShuttingDown before it is Terminated.</summary>
    public TimeSpan ShutdownDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Multiplier on the catalog's prices per region; regions not listed use 1.0. Configuration adds to
    /// or overrides these entries.
    /// </summary>
    public IDictionary<string, double> RegionPriceFactors { get; } = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["us-east-1"] = 1.0,
        ["us-west-2"] = 1.08,
        ["eu-west-1"] = 1.12,
    };

    /// <summary>
    /// Account vCPU quota per capacity type ("on-demand", "spot", "reserved"), per region and account.
    /// A capacity type not listed is unlimited.
    /// </summary>
    public IDictionary<string, int> VcpuQuota { get; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>
    /// Whether the cloud sends events by the documented rules on its own: spot interruptions, and (each with
    /// its own switch below) rebalance recommendations and scheduled changes. Tests turn this off and use
    /// Interrupt, RecommendRebalance and ScheduleChange.
    /// </summary>
    public bool AutomaticInterruptions { get; set; } = true;

    /// <summary>Whether spot instances get rebalance recommendations by the rule (only with <see cref="AutomaticInterruptions"/>).</summary>
    public bool AutomaticRebalanceRecommendations { get; set; } = true;

    /// <summary>
    /// The chance per instance-day of a scheduled change (instance retirement) by the rule, 0 to 1; 0 turns
    /// them off. Only with <see cref="AutomaticInterruptions"/>.
    /// </summary>
    public double ScheduledChangesPerInstanceDay { get; set; } = 0.02;

    /// <summary>
    /// When set, instances and client tokens live in this JSON file: saved after every change, read at
    /// start and whenever another process sharing the file changed it (the cloud outlives the silo).
    /// </summary>
    public string? StateFile { get; set; }

    /// <summary>How long a terminated instance is still listed by GetAsync before the cloud forgets it (with a state file).</summary>
    public TimeSpan ForgetTerminatedAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Seed of the instance-id sequence, so two simulated clouds can be told apart.</summary>
    public int Seed { get; set; }

    /// <summary>The regions in effect: <see cref="Regions"/>, or <see cref="DefaultRegions"/> when it is empty.</summary>
    public IReadOnlyList<string> EffectiveRegions() => Regions.Count == 0 ? DefaultRegions : [.. Regions];

    /// <summary>The price factor of <paramref name="region"/> (1.0 when not listed).</summary>
    public double PriceFactor(string region) => RegionPriceFactors.TryGetValue(region, out var f) ? f : 1.0;
}
