namespace Karpenter.Orleans.Simulation;

/// <summary>How a simulated workload's replica count follows time.</summary>
public enum WorkloadKind
{
    /// <summary>Replicas follow the smooth wave: base + amplitude × wave.</summary>
    Deployment,

    /// <summary>A batch burst: base + amplitude pods during a window of each period, none otherwise.</summary>
    Job,
}
