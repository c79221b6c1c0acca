using Amazon.EC2.Model;
using Karpenter.Orleans.CloudProviders.Aws.InstanceTypes;
using Karpenter.Orleans.CloudProviders.Simulated;
using Karpenter.Orleans.Scheduling.Manifests;

namespace Karpenter.Orleans.CloudProviders.Aws.Tests.InstanceTypes;

/// <summary>
/// The data test: for every type both in the shipped catalog and in EC2's DescribeInstanceTypes (served by
/// moto), the allocatable computed from EC2's capacity facts equals the catalog's published value.
/// </summary>
[Collection(MotoCollection.Name)]
public sealed class PublishedAllocatableTests(MotoServer moto) : IAsyncLifetime
{
    public Task InitializeAsync() => moto.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Every_catalog_type_EC2_describes_has_its_published_allocatable()
    {
        var path = SimulatedCatalogFile.Resolve(null, out var problem) ?? throw new InvalidOperationException(problem);
        var published = CatalogLoader.Load(path).InstanceTypes.ToDictionary(t => t.Name, StringComparer.Ordinal);
        using var clients = new AwsClientFactory(moto.Options(), MotoServer.Credentials);
        var response = await clients.Ec2("us-east-1").DescribeInstanceTypesAsync(new DescribeInstanceTypesRequest());

        var compared = 0;
        var mismatches = new List<string>();
        foreach (var info in response.InstanceTypes)
        {
            if (!published.TryGetValue(info.InstanceType.Value, out var type))
            {
                continue;
            }

            compared++;
            var computed = Ec2Allocatable.Allocatable(Ec2InstanceTypeFacts.Capacity(info));
            var expected = type.Allocatable;
            foreach (var resource in new[] { "cpu", "memory", "pods", "ephemeral-storage", Ec2Allocatable.NvidiaGpu, Ec2Allocatable.Neuron, Ec2Allocatable.NeuronCore, Ec2Allocatable.Efa })
            {
                if (computed.Get(resource) != expected.Get(resource))
                {
                    mismatches.Add($"{type.Name} {resource}: computed {computed.Get(resource)}, published {expected.Get(resource)}");
                }
            }
        }

        Assert.True(compared > 1000, $"only {compared} types are both in the catalog and in DescribeInstanceTypes");
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} differences over {compared} types:\n{string.Join('\n', mismatches.Take(50))}");
    }
}
