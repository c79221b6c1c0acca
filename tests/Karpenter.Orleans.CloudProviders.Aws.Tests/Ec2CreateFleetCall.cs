namespace Karpenter.Orleans.CloudProviders.Aws.Tests;

/// <summary>One CreateFleet request as the SDK sent it: its overrides in order and the tags asked for its instances.</summary>
public sealed record Ec2CreateFleetCall(IReadOnlyList<(string InstanceType, string Zone)> Overrides, IReadOnlyDictionary<string, string> InstanceTags)
{
    /// <summary>The cluster the request launches for (its <c>eks:eks-cluster-name</c> tag).</summary>
    public string Cluster => InstanceTags.GetValueOrDefault(AwsTags.EksClusterName, "");
}
