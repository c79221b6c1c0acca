using System.Text.Json.Nodes;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.CloudProviders.Aws;
using Karpenter.Orleans.CloudProviders.Aws.Tests;
using Karpenter.Orleans.Service.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Karpenter.Orleans.Service.Tests.Aws;

/// <summary>
/// The service schedules with an EC2NodeClass's kubelet settings (TestingHost silo, AWS provider on moto): the
/// NodeClaims it plans for a NodePool naming the node class hold no more pods than its <c>maxPods</c> allows.
/// </summary>
[Collection(AwsServiceCollection.Name)]
public sealed class AwsKubeletServiceTests(MotoServer moto) : IAsyncLifetime
{
    private AwsLaunchHarness _aws = null!;

    public async Task InitializeAsync()
    {
        await moto.ResetAsync();
        _aws = new AwsLaunchHarness(moto);
    }

    public Task DisposeAsync()
    {
        _aws.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task KubeletMaxPods_of_the_node_class_caps_the_pods_planned_onto_each_NodeClaim()
    {
        await using var service = await ServiceCluster.StartAsync(services: s => s.AddSingleton<ICloudProvider>(_aws.Cloud));
        const string cluster = "kubelet";
        await service.Grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey).RegisterClusterAsync(
            new ClusterRegistration(cluster, AwsCloudProvider.ProviderName, AwsLaunchHarness.Region, TestObjects.Account, null), TestObjects.Sha256("token-" + cluster));
        var nodeClass = await AwsNodeClassSetup.DefaultAsync(_aws, cluster);
        var json = JsonNode.Parse(nodeClass.Json)!;
        json["spec"]!["kubelet"] = new JsonObject { ["maxPods"] = 2 };
        var grain = service.Grains.GetGrain<IClusterGrain>(cluster);
        var objects = new List<ClusterObject> { new(ObjectKind.NodePool, TestObjects.NodePool()), new(ObjectKind.NodeClass, json.ToJsonString()) };
        objects.AddRange(Enumerable.Range(0, 10).Select(i => TestObjects.Object(TestObjects.Pod($"web-{i}", "100m", "128Mi"))));
        Assert.Empty((await grain.ResyncAsync(new ClusterSnapshot("session-1", 0, objects))).Errors);

        await grain.ProvisionAsync();

        var nominated = (await grain.GetPendingPodsAsync()).Where(p => p.NodeClaim is not null).GroupBy(p => p.NodeClaim).ToList();
        var claims = (await grain.GetNodeClaimsAsync()).Where(c => c.Phase != NodeClaimPhase.Terminated).ToList();
        Assert.Equal(10, nominated.Sum(g => g.Count()));
        Assert.All(nominated, g => Assert.InRange(g.Count(), 1, 2));
        Assert.True(claims.Count >= 5, $"{claims.Count} NodeClaims for 10 pods at 2 pods a node");
    }
}
