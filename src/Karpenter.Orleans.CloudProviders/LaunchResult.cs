namespace Karpenter.Orleans.CloudProviders;

/// <summary>The instance a launch made (null when every offering failed) and the offerings that failed on the way.</summary>
public sealed record LaunchResult(
    CloudInstance? Instance,
    IReadOnlyList<OfferingFailure> Failures);
