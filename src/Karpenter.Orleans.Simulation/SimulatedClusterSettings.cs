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

    /// <summary>
    /// Run each DaemonSet's pod on every node that joins (its node selector matching, its tolerations covering the
    /// node's taints), as the DaemonSet controller does; false leaves DaemonSets as overhead the planner counts but
    /// no pod shows (the default, for tests that count workload pods only). An evicted DaemonSet pod is gone for
    /// good: its node carries karpenter.sh/disrupted:NoSchedule, and the controller does not put it back.
    /// </summary>
    public bool DaemonSetPods { get; init; }

    /// <summary>Deltas per <c>ApplyDeltasAsync</c> call; a scale-up of thousands of pods goes out in several batches.</summary>
    public int MaxDeltasPerBatch { get; init; } = 500;
}
