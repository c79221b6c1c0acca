using k8s.Models;

namespace Karpenter.Orleans.Simulation;

/// <summary>
/// A workload of a simulated cluster: the pod it stamps out (<see cref="PodSpec"/>, labelled
/// <c>app=Name</c>) and how many of them exist over time (see <see cref="WorkloadCurve"/>).
/// </summary>
/// <param name="Name">Workload name; pods are named <c>Name-xxxxx</c>.</param>
/// <param name="PodSpec">Template of every pod; each pod gets its own copy.</param>
/// <param name="BaseReplicas">Replicas at the bottom of the wave.</param>
/// <param name="Amplitude">Replicas added at the top of the wave.</param>
/// <param name="Phase">Shift of this workload's wave, in periods (0..1), added to the cluster's.</param>
/// <param name="Kind">Deployment (smooth wave) or Job (burst).</param>
/// <param name="BurstWindow">For a Job: the share of each period (0..0.5) its pods exist, starting half a period in (at the wave's peak).</param>
/// <param name="Namespace">Namespace of the pods.</param>
public sealed record SimulatedWorkload(
    string Name,
    V1PodSpec PodSpec,
    int BaseReplicas,
    int Amplitude = 0,
    double Phase = 0,
    WorkloadKind Kind = WorkloadKind.Deployment,
    double BurstWindow = 0,
    string Namespace = "default");
