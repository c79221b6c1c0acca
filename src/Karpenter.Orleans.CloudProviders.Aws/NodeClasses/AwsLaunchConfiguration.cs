namespace Karpenter.Orleans.CloudProviders.Aws.NodeClasses;

/// <summary>
/// What a launch needs from the node class, resolved against EC2: one subnet per zone it may use and the
/// launch template (by name, created if missing and reused) for each CPU architecture.
/// </summary>
public sealed record AwsLaunchConfiguration(
    IReadOnlyList<AwsSubnet> Subnets,
    IReadOnlyDictionary<string, string> LaunchTemplateByArchitecture,
    string? NodeClass);
