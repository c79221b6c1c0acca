using System.Globalization;
using Amazon.EC2.Model;
using Karpenter.Orleans.CloudProviders.Aws.InstanceTypes;
using Karpenter.Orleans.CloudProviders.Aws.NodeClasses;
using Karpenter.Orleans.CloudProviders.Simulated;
using Karpenter.Orleans.Scheduling.Manifests;
using Karpenter.Orleans.Scheduling.Model;
using InstanceType = Karpenter.Orleans.Scheduling.Model.InstanceType;

namespace Karpenter.Orleans.CloudProviders.Aws.Tests.InstanceTypes;

/// <summary>
/// The data test, over every one of the shipped catalog's types. Two sources of capacity facts:
/// EC2's DescribeInstanceTypes (served by moto), which knows 1,235 of the 1,345 types and gives every fact
/// (vCPUs, memory, ENI limits, GPUs, Neuron, EFA); and the catalog's own labels (instance-cpu, instance-memory,
/// arch, gpu and accelerator counts), which every type has but which say nothing of ENI limits.
/// </summary>
[Collection(MotoCollection.Name)]
public sealed class PublishedAllocatableTests(MotoServer moto) : IAsyncLifetime
{
    private const string Prefix = "karpenter.k8s.aws/";
    private const int CatalogTypes = 1345;

    private static readonly string[] Compared = ["cpu", "memory", "pods", "ephemeral-storage", Ec2Allocatable.NvidiaGpu, Ec2Allocatable.Neuron, Ec2Allocatable.NeuronCore, Ec2Allocatable.Efa];

    public Task InitializeAsync() => moto.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private static List<InstanceType> Catalog()
    {
        var path = SimulatedCatalogFile.Resolve(null, out var problem) ?? throw new InvalidOperationException(problem);
        return [.. CatalogLoader.Load(path).InstanceTypes];
    }

    private async Task<Dictionary<string, InstanceTypeInfo>> DescribedAsync()
    {
        using var clients = new AwsClientFactory(moto.Options(), MotoServer.Credentials);
        var response = await clients.Ec2("us-east-1").DescribeInstanceTypesAsync(new DescribeInstanceTypesRequest());
        return response.InstanceTypes.ToDictionary(i => i.InstanceType.Value, StringComparer.Ordinal);
    }

    [Fact]
    public async Task Every_type_EC2_describes_has_its_published_allocatable_from_EC2s_facts()
    {
        var catalog = Catalog();
        var described = await DescribedAsync();

        var compared = 0;
        var mismatches = new List<string>();
        foreach (var type in catalog.Where(t => described.ContainsKey(t.Name)))
        {
            compared++;
            var computed = Ec2Allocatable.Allocatable(Ec2InstanceTypeFacts.Capacity(described[type.Name]));
            mismatches.AddRange(Compared.Where(r => computed.Get(r) != type.Allocatable.Get(r))
                .Select(r => $"{type.Name} {r}: computed {computed.Get(r)}, published {type.Allocatable.Get(r)}"));
        }

        Assert.Equal(CatalogTypes, catalog.Count);
        Assert.True(compared >= 1235, $"only {compared} catalog types are in DescribeInstanceTypes");
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} differences over {compared} types:\n{string.Join('\n', mismatches.Take(50))}");
    }

    [Fact]
    public async Task Every_catalog_type_has_its_published_cpu_memory_and_accelerators_from_its_own_labels()
    {
        var catalog = Catalog();
        var described = await DescribedAsync();

        var mismatches = new List<string>();
        var podsFromEc2 = 0;
        foreach (var type in catalog)
        {
            var facts = FromLabels(type);
            // The kube-reserved memory depends on the pod count. EC2's ENI limits give it where EC2 knows the
            // type; for the others the catalog's published pods is the only fact there is, used as maxPods.
            Ec2KubeletSettings? pods = null;
            if (described.TryGetValue(type.Name, out var info))
            {
                var ec2 = Ec2InstanceTypeFacts.Capacity(info);
                facts = facts with { MaxNetworkInterfaces = ec2.MaxNetworkInterfaces, Ipv4AddressesPerInterface = ec2.Ipv4AddressesPerInterface };
                podsFromEc2++;
            }
            else
            {
                pods = new Ec2KubeletSettings(MaxPods: (int)type.Allocatable.Pods);
            }

            var computed = Ec2Allocatable.Allocatable(facts, pods);
            // Where the pods were an input they prove nothing, so they are not compared.
            string[] resources = pods is null
                ? ["cpu", "memory", "pods", "ephemeral-storage", Ec2Allocatable.NvidiaGpu, Ec2Allocatable.Neuron]
                : ["cpu", "memory", "ephemeral-storage", Ec2Allocatable.NvidiaGpu, Ec2Allocatable.Neuron];
            mismatches.AddRange(resources
                .Where(r => computed.Get(r) != type.Allocatable.Get(r))
                .Select(r => $"{type.Name} {r}: computed {computed.Get(r)}, published {type.Allocatable.Get(r)}"));
        }

        Assert.Equal(CatalogTypes, catalog.Count);
        Assert.Equal(CatalogTypes - podsFromEc2, catalog.Count(t => !described.ContainsKey(t.Name)));
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} differences over {catalog.Count} types:\n{string.Join('\n', mismatches.Take(50))}");
    }

    /// <summary>The capacity facts the catalog itself states for a type (no ENI limits: it has none).</summary>
    private static Ec2CapacityFacts FromLabels(InstanceType type)
    {
        var labels = type.Labels;
        int Int(string key) => labels.TryGetValue(Prefix + key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : 0;
        var nvidia = labels.GetValueOrDefault(Prefix + "instance-gpu-manufacturer") == "nvidia" ? Int("instance-gpu-count") : 0;
        var neuron = labels.GetValueOrDefault(Prefix + "instance-accelerator-manufacturer") == "aws" ? Int("instance-accelerator-count") : 0;
        return new Ec2CapacityFacts(type.Name, Int("instance-cpu"), Int("instance-memory"), labels[WellKnownLabels.Arch], 0, 0, nvidia, neuron);
    }
}
