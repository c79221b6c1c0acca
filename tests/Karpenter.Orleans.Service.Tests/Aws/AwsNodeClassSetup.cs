using Amazon.EC2.Model;
using k8s.Models;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.CloudProviders.Aws;
using Karpenter.Orleans.CloudProviders.Aws.Tests;
using Karpenter.Orleans.Service.Tests.TestSupport;
using Karpenter.Orleans.Simulation;

namespace Karpenter.Orleans.Service.Tests.Aws;

/// <summary>
/// Clusters on the AWS provider for the service tests, and the EC2NodeClass the test NodePools name (<c>default</c>), as the simulated fleet sends it: it selects the
/// subnets and security groups tagged <c>kubernetes.io/cluster/&lt;cluster&gt;</c>, so moto's default subnets
/// and group get that tag first.
/// </summary>
internal static class AwsNodeClassSetup
{
    /// <summary>Registers <paramref name="cluster"/> on the AWS provider and sends it the default NodePool, its EC2NodeClass and <paramref name="pods"/>.</summary>
    public static async Task<IClusterGrain> RegisterAsync(IGrainFactory grains, AwsLaunchHarness aws, string cluster, params V1Pod[] pods)
    {
        await grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey).RegisterClusterAsync(
            new ClusterRegistration(cluster, AwsCloudProvider.ProviderName, AwsLaunchHarness.Region, TestObjects.Account, null), TestObjects.Sha256("token-" + cluster));
        var grain = grains.GetGrain<IClusterGrain>(cluster);
        var objects = new List<ClusterObject> { new(ObjectKind.NodePool, TestObjects.NodePool()), await DefaultAsync(aws, cluster) };
        objects.AddRange(pods.Select(TestObjects.Object));
        var result = await grain.ResyncAsync(new ClusterSnapshot("session-1", 0, objects));
        Assert.Empty(result.Errors);
        return grain;
    }

    public static async Task<ClusterObject> DefaultAsync(AwsLaunchHarness aws, string cluster)
    {
        var subnets = (await aws.Ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest())).Subnets.Select(s => s.SubnetId);
        var groups = (await aws.Ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { Filters = [new Filter("group-name", ["default"])] }))
            .SecurityGroups.Select(g => g.GroupId);
        await aws.Ec2.CreateTagsAsync(new CreateTagsRequest { Resources = [.. subnets, .. groups], Tags = [new Tag($"kubernetes.io/cluster/{cluster}", "shared")] });
        return new ClusterObject(ObjectKind.NodeClass, DefaultClusterObjects.NodeClass(cluster));
    }
}
