namespace Karpenter.Orleans.Abstractions;

/// <summary>
/// Disrupt these nodes (by Node name) for one of Karpenter's reasons (Empty, Drifted, Underutilized, Expired,
/// Interrupted). With <see cref="Replace"/>, NodeClaims for their pods are launched first and the nodes drain
/// only once every replacement is Initialized; without, they are deleted through the termination flow.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record DisruptionRequest(
    IReadOnlyList<string> Nodes,
    string Reason,
    bool Replace);
