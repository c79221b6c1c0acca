using Amazon.EC2.Model;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.CloudProviders.Aws.Tests;
using Karpenter.Orleans.Simulation;

namespace Karpenter.Orleans.Service.Tests.Aws;

/// <summary>
/// The EC2NodeClass the test NodePools name (<c>default</c>), as the simulated fleet sends it: it selects the
/// subnets and security groups tagged <c>kubernetes.io/cluster/&lt;cluster&gt;</c>, so moto's default subnets
/// and group get that tag first.
/// </summary>
internal static class AwsNodeClassSetup
{
    public static async Task<ClusterObject> DefaultAsync(AwsLaunchHarness aws, string cluster)
    {
        var subnets = (await aws.Ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest())).Subnets.Select(s => s.SubnetId);
        var groups = (await aws.Ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { Filters = [new Filter("group-name", ["default"])] }))
            .SecurityGroups.Select(g => g.GroupId);
        await aws.Ec2.CreateTagsAsync(new CreateTagsRequest { Resources = [.. subnets, .. groups], Tags = [new Tag($"kubernetes.io/cluster/{cluster}", "shared")] });
        return new ClusterObject(ObjectKind.NodeClass, DefaultClusterObjects.NodeClass(cluster));
    }
}
