using Karpenter.Orleans.CloudProviders.Aws.NodeClasses;
using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.CloudProviders.Aws.Tests;

/// <summary>An EC2NodeClass's kubelet settings give the NodePools using it the allocatable their nodes get, from EC2's facts.</summary>
[Collection(MotoCollection.Name)]
public sealed class AwsNodeClassKubeletTests(MotoServer moto) : IAsyncLifetime
{
    private const long MiB = 1024 * 1024;

    public Task InitializeAsync() => moto.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private static NodeClassDocument NodeClass(string kubelet) =>
        new(EC2NodeClass.ApiVersion, EC2NodeClass.KindName, "default",
            """{"apiVersion":"karpenter.k8s.aws/v1","kind":"EC2NodeClass","metadata":{"name":"default"},"spec":{"role":"KarpoNodeRole","amiSelectorTerms":[{"alias":"al2023@latest"}],"subnetSelectorTerms":[{"tags":{"a":"*"}}],"securityGroupSelectorTerms":[{"name":"default"}]"""
            + kubelet + "}}");

    [Fact]
    public async Task Kubelet_settings_give_every_type_its_allocatable_under_them()
    {
        using var aws = new AwsLaunchHarness(moto);
        var catalog = await aws.Cloud.GetInstanceTypesAsync(AwsLaunchHarness.Region);
        var pool = new NodePool { Name = "general" };

        var applied = aws.Cloud.ApplyNodeClass(AwsLaunchHarness.Region, pool,
            NodeClass(""","kubelet":{"maxPods":110,"podsPerCore":40,"kubeReserved":{"cpu":"200m"},"systemReserved":{"memory":"300Mi"}}"""));

        var byType = Assert.IsAssignableFrom<IReadOnlyDictionary<string, Scheduling.Resources.ResourceVector>>(applied.AllocatableByType);
        Assert.Equal(catalog.InstanceTypes.Select(t => t.Name).Order(StringComparer.Ordinal), byType.Keys.Order(StringComparer.Ordinal));
        // m5.large: min(110, 40 x 2) = 80 pods; 7577 MiB - (11 x 80 + 255) - 300 - 100; 2000m - 200m.
        Assert.Equal(new Scheduling.Resources.ResourceVector(1800, (7577 - 1135 - 300 - 100) * MiB, 80, 17L * 1024 * MiB), byType["m5.large"]);
        // m5.24xlarge has 96 vCPUs: maxPods 110 is below 40 per core.
        Assert.Equal(110, byType["m5.24xlarge"].Pods);
        Assert.Equal("general", applied.Name);
    }

    [Fact]
    public async Task Without_kubelet_settings_or_with_an_unreadable_node_class_the_pool_is_unchanged()
    {
        using var aws = new AwsLaunchHarness(moto);
        await aws.Cloud.GetInstanceTypesAsync(AwsLaunchHarness.Region);
        var pool = new NodePool { Name = "general" };

        Assert.Same(pool, aws.Cloud.ApplyNodeClass(AwsLaunchHarness.Region, pool, NodeClass("")));
        Assert.Same(pool, aws.Cloud.ApplyNodeClass(AwsLaunchHarness.Region, pool, NodeClass(""","kubelet":{"maxPods":"many"}""")));
    }
}
