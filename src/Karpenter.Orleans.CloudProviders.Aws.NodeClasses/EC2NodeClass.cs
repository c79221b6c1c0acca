namespace Karpenter.Orleans.CloudProviders.Aws.NodeClasses;

/// <summary>
/// A <c>karpenter.k8s.aws/v1</c> <c>EC2NodeClass</c>: the subset of its spec users set, with the CRD's
/// defaults applied (metadata options, AL2023 root volume). Selector terms are ORed; a term's fields are ANDed.
/// </summary>
public sealed record EC2NodeClass(
    string Name,
    IReadOnlyList<SubnetSelectorTerm> SubnetSelectorTerms,
    IReadOnlyList<SecurityGroupSelectorTerm> SecurityGroupSelectorTerms,
    IReadOnlyList<AmiSelectorTerm> AmiSelectorTerms,
    string? AmiFamily,
    string? Role,
    string? InstanceProfile,
    string? UserData,
    IReadOnlyList<BlockDeviceMapping> BlockDeviceMappings,
    MetadataOptions MetadataOptions,
    IReadOnlyDictionary<string, string> Tags,
    int? MaxPods,
    KubeletConfiguration? Kubelet = null)
{
    public const string ApiVersion = "karpenter.k8s.aws/v1";
    public const string KindName = "EC2NodeClass";
}
