namespace Karpenter.Orleans.CloudProviders.Aws.NodeClasses;

/// <summary>
/// What an <c>EC2NodeClass</c> resolved to in one region, as Karpenter reports it in the object's status:
/// subnets, security groups, one image per architecture, the instance profile, and conditions.
/// </summary>
public sealed record EC2NodeClassStatus(
    IReadOnlyList<AwsSubnet> Subnets,
    IReadOnlyList<ResolvedSecurityGroup> SecurityGroups,
    IReadOnlyList<ResolvedAmi> Amis,
    string? InstanceProfile,
    string? Role,
    IReadOnlyList<NodeClassCondition> Conditions)
{
    public const string Ready = "Ready";
    public const string SubnetsReady = "SubnetsReady";
    public const string SecurityGroupsReady = "SecurityGroupsReady";
    public const string AmisReady = "AMIsReady";

    public bool IsReady => Conditions.Any(c => c.Type == Ready && c.Status);

    /// <summary>Why it is not ready: the messages of the false conditions (Ready's alone when it is the only one, as for an invalid spec).</summary>
    public IEnumerable<string> Problems
    {
        get
        {
            var parts = Conditions.Where(c => !c.Status && c.Type != Ready).Select(c => c.Message).ToList();
            return parts.Count > 0 ? parts : Conditions.Where(c => !c.Status).Select(c => c.Message);
        }
    }
}
