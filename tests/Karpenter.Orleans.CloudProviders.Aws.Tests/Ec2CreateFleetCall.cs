namespace Karpenter.Orleans.CloudProviders.Aws.Tests;

/// <summary>One CreateFleet request as the SDK sent it: its capacity type (<c>on-demand</c> or <c>spot</c>), its overrides by priority and the tags asked for its instances.</summary>
public sealed record Ec2CreateFleetCall(string CapacityType, IReadOnlyList<(string InstanceType, string Zone)> Overrides, IReadOnlyDictionary<string, string> InstanceTags)
{
    /// <summary>The cluster the request launches for (its <c>eks:eks-cluster-name</c> tag).</summary>
    public string Cluster => InstanceTags.GetValueOrDefault(AwsTags.EksClusterName, "");
}
