namespace Karpenter.Orleans.Simulation;

/// <summary>
/// The simulated fleet (configuration section <see cref="SectionName"/>): clusters that stand in for real
/// ones and their agents, with workloads that rise and fall over <see cref="WorkloadPeriod"/>.
/// </summary>
public sealed class SimulatedFleetOptions
{
    public const string SectionName = "Karpo:SimulatedFleet";

    /// <summary>Runs the simulated fleet; false registers nothing.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// <see cref="SimulationMode.Kubernetes"/> (the default): every cluster in an in-process API server streamed by
    /// the real agent over HTTP; <see cref="SimulationMode.InProcess"/>: clusters that call the grains directly.
    /// </summary>
    public SimulationMode Mode { get; set; } = SimulationMode.Kubernetes;

    /// <summary>
    /// In <see cref="SimulationMode.Kubernetes"/> mode, the service address the agents stream to; empty means the
    /// silo's own HTTP address.
    /// </summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary>
    /// Ticks the fleet from a hosted service every <see cref="TickInterval"/>. Tests that drive
    /// <see cref="SimulatedFleet.TickAsync"/> themselves turn it off.
    /// </summary>
    public bool AutoTick { get; set; } = true;

    /// <summary>
    /// The clusters. Left empty, the fleet has <see cref="DefaultClusters"/>: the binder appends to a
    /// pre-filled list instead of replacing it, so defaults are applied after binding.
    /// </summary>
    public List<SimulatedClusterOptions> Clusters { get; set; } = [];

    public TimeSpan TickInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>One full rise and fall of the workload curve; short so nodes come and go within minutes.</summary>
    public TimeSpan WorkloadPeriod { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Multiplies every workload's replica count (0.1 for a tiny fleet, 10 for a load test).</summary>
    public double Scale { get; set; } = 1.0;

    /// <summary>
    /// The cloud provider the default clusters register with (an <c>ICloudProvider</c> name): "simulated", or
    /// "aws" to run the fleet on EC2 (or an EC2-compatible endpoint). Configured clusters name their own.
    /// </summary>
    public string Provider { get; set; } = DefaultProvider;

    /// <summary>The provider of a cluster that names none: the simulated cloud.</summary>
    public const string DefaultProvider = "simulated";

    /// <summary>Three clusters in two regions, registered with <paramref name="provider"/>.</summary>
    public static IReadOnlyList<SimulatedClusterOptions> DefaultClusters(string provider = DefaultProvider) =>
    [
        new() { ClusterId = "prod-use1", Region = "us-east-1", Provider = provider },
        new() { ClusterId = "prod-usw2", Region = "us-west-2", Provider = provider },
        new() { ClusterId = "staging-use1", Region = "us-east-1", Provider = provider },
    ];
}
