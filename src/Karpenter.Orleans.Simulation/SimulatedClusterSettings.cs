namespace Karpenter.Orleans.Simulation;

/// <summary>How a <see cref="SimulatedCluster"/> behaves: its workload curve and whether it starts with the default objects.</summary>
public sealed record SimulatedClusterSettings
{
    /// <summary>One full rise and fall of every Deployment's replica count.</summary>
    public TimeSpan WorkloadPeriod { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Multiplies every workload's replica count.</summary>
    public double Scale { get; init; } = 1.0;

    /// <summary>This cluster's shift of the wave, in periods (0..1), so clusters of a fleet peak at different times.</summary>
    public double Phase { get; init; }

    /// <summary>Start with the default NodePools, DaemonSet and workload mix; false starts empty (for tests).</summary>
    public bool DefaultObjects { get; init; } = true;

    /// <summary>Deltas per <c>ApplyDeltasAsync</c> call; a scale-up of thousands of pods goes out in several batches.</summary>
    public int MaxDeltasPerBatch { get; init; } = 500;
}
