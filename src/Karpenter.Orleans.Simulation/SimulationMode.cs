namespace Karpenter.Orleans.Simulation;

/// <summary>How the simulated fleet reaches the service (<c>Karpo:SimulatedFleet:Mode</c>).</summary>
public enum SimulationMode
{
    /// <summary>
    /// The real path: each cluster lives in its own in-process Kubernetes API server, played by a
    /// <see cref="SimulatedKubeCluster"/>, and the real agent streams it to the service over HTTP with the
    /// cluster's token (<see cref="SimulatedKubeFleet"/>).
    /// </summary>
    Kubernetes,

    /// <summary>Each <see cref="SimulatedCluster"/> plays its cluster and its agent and calls the grains directly (<see cref="SimulatedFleet"/>).</summary>
    InProcess,
}
