using Karpenter.Orleans.CloudProviders.Aws.InstanceTypes;

namespace Karpenter.Orleans.CloudProviders.Aws.Tests.InstanceTypes;

/// <summary>Karpenter's overhead rules give the allocatable its instance-type reference publishes.</summary>
public sealed class Ec2AllocatableTests
{
    private const long MiB = 1024 * 1024;
    private const long GiB = 1024 * MiB;

    [Fact]
    public void An_m5_large_has_the_published_allocatable()
    {
        var allocatable = Ec2Allocatable.Allocatable(new Ec2CapacityFacts("m5.large", 2, 8192, "amd64", 3, 10));

        Assert.Equal(1930, allocatable.MilliCpu);
        Assert.Equal(6903 * MiB, allocatable.Memory);
        Assert.Equal(29, allocatable.Pods);
        Assert.Equal(17 * GiB, allocatable.EphemeralStorage);
    }

    [Fact]
    public void An_arm64_type_also_loses_the_64_MiB_of_CMA()
    {
        var allocatable = Ec2Allocatable.Allocatable(new Ec2CapacityFacts("m6g.large", 2, 8192, "arm64", 3, 10));

        Assert.Equal(6844 * MiB, allocatable.Memory);
    }

    [Fact]
    public void Capacity_is_the_machine_less_the_VM_overhead()
    {
        var capacity = Ec2Allocatable.Capacity(new Ec2CapacityFacts("m5.large", 2, 8192, "amd64", 3, 10));

        Assert.Equal(2000, capacity.MilliCpu);
        Assert.Equal(7577 * MiB, capacity.Memory);
        Assert.Equal(29, capacity.Pods);
        Assert.Equal(20 * GiB, capacity.EphemeralStorage);
    }

    [Theory]
    [InlineData(1, 60)]
    [InlineData(2, 70)]
    [InlineData(4, 80)]
    [InlineData(8, 90)]
    [InlineData(96, 310)]
    public void Kube_reserved_cpu_follows_the_core_bands(int vcpus, long milliCpu) =>
        Assert.Equal(milliCpu, Ec2Allocatable.KubeReservedMilliCpu(vcpus));

    [Fact]
    public void Gpus_neuron_devices_and_efa_become_extended_resources()
    {
        var gpu = Ec2Allocatable.Allocatable(new Ec2CapacityFacts("p4d.24xlarge", 96, 1179648, "amd64", 15, 50, NvidiaGpus: 8, EfaInterfaces: 4));
        var neuron = Ec2Allocatable.Allocatable(new Ec2CapacityFacts("inf2.xlarge", 4, 16384, "amd64", 4, 15, NeuronDevices: 1, NeuronCores: 2));

        Assert.Equal(8000, gpu.Get(Ec2Allocatable.NvidiaGpu));
        Assert.Equal(4000, gpu.Get(Ec2Allocatable.Efa));
        Assert.Equal(737, gpu.Pods);
        Assert.Equal(1000, neuron.Get(Ec2Allocatable.Neuron));
        Assert.Equal(2000, neuron.Get(Ec2Allocatable.NeuronCore));
        Assert.Equal(0, neuron.Get(Ec2Allocatable.NvidiaGpu));
    }
}
