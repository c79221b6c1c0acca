namespace Karpenter.Orleans.CloudProviders;

/// <summary>
/// A node class as its provider resolved it: whether it can launch (Karpenter's <c>Ready</c> condition) and the
/// provider's status object as JSON (<see cref="Json"/>), in the shape the provider's CRD status has.
/// </summary>
public sealed record NodeClassStatus(bool Ready, string Json);
