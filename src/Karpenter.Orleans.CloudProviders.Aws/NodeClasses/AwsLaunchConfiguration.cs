namespace Karpenter.Orleans.CloudProviders.Aws.NodeClasses;

/// <summary>
/// What a launch needs from the node class, resolved against EC2: one subnet per zone it may use and the
/// launch template (by name, created if missing and reused) for each CPU architecture. With an
/// <c>EC2NodeClass</c>, <see cref="Tags"/> are its <c>spec.tags</c> (already on the templates' instances
/// and volumes) and <see cref="Status"/> what it resolved to.
/// </summary>
public sealed record AwsLaunchConfiguration(
    IReadOnlyList<AwsSubnet> Subnets,
    IReadOnlyDictionary<string, string> LaunchTemplateByArchitecture,
    string? NodeClass,
    IReadOnlyDictionary<string, string>? Tags = null,
    EC2NodeClassStatus? Status = null);
