using Karpenter.Orleans.CloudProviders.Aws.NodeClasses;

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

    private static readonly Ec2CapacityFacts M5Large = new("m5.large", 2, 8192, "amd64", 3, 10);

    [Fact]
    public void MaxPods_replaces_the_ENI_limit_and_moves_the_kube_reserved_memory_with_it()
    {
        var allocatable = Ec2Allocatable.Allocatable(M5Large, new Ec2KubeletSettings(MaxPods: 110));

        Assert.Equal(110, allocatable.Pods);
        Assert.Equal(110, Ec2Allocatable.Capacity(M5Large, new Ec2KubeletSettings(MaxPods: 110)).Pods);
        // 7577 MiB less 11 MiB x 110 + 255 MiB kube-reserved and 100 MiB eviction.
        Assert.Equal(6012 * MiB, allocatable.Memory);
        Assert.Equal(1930, allocatable.MilliCpu);
    }

    [Theory]
    [InlineData(null, 10, 20)]
    [InlineData(110, 10, 20)]
    [InlineData(null, 20, 29)]
    [InlineData(8, 10, 8)]
    [InlineData(null, 0, 29)]
    public void PodsPerCore_caps_the_pods_at_that_many_per_vCPU(int? maxPods, int podsPerCore, long pods)
    {
        var allocatable = Ec2Allocatable.Allocatable(M5Large, new Ec2KubeletSettings(MaxPods: maxPods, PodsPerCore: podsPerCore));

        Assert.Equal(pods, allocatable.Pods);
        Assert.Equal((7577 - ((11 * pods) + 255) - 100) * MiB, allocatable.Memory);
    }

    [Fact]
    public void KubeReserved_replaces_the_default_of_each_resource_it_names_only()
    {
        var allocatable = Ec2Allocatable.Allocatable(M5Large, new Ec2KubeletSettings(KubeReservedMilliCpu: 500, KubeReservedMemory: 1024 * MiB));

        Assert.Equal(1500, allocatable.MilliCpu);
        Assert.Equal((7577 - 1024 - 100) * MiB, allocatable.Memory);
        // Ephemeral storage keeps its default 1 GiB kube-reserved.
        Assert.Equal(17 * GiB, allocatable.EphemeralStorage);
        Assert.Equal(29, allocatable.Pods);
    }

    [Fact]
    public void SystemReserved_is_taken_off_on_top_of_kube_reserved()
    {
        var allocatable = Ec2Allocatable.Allocatable(M5Large, new Ec2KubeletSettings(SystemReserved: new(100, 200 * MiB, 0, 1 * GiB)));

        Assert.Equal(1830, allocatable.MilliCpu);
        Assert.Equal(6703 * MiB, allocatable.Memory);
        Assert.Equal(16 * GiB, allocatable.EphemeralStorage);
    }

    [Fact]
    public void Reserves_larger_than_the_machine_leave_nothing_not_less()
    {
        var allocatable = Ec2Allocatable.Allocatable(M5Large, new Ec2KubeletSettings(KubeReservedMilliCpu: 4000, SystemReserved: new(0, 64L * 1024 * MiB, 0)));

        Assert.Equal(0, allocatable.MilliCpu);
        Assert.Equal(0, allocatable.Memory);
        Assert.Equal(29, allocatable.Pods);
    }

    [Fact]
    public void No_settings_are_Karpenters_defaults()
    {
        Assert.True(Ec2KubeletSettings.None.IsDefault);
        Assert.Equal(Ec2Allocatable.Allocatable(M5Large), Ec2Allocatable.Allocatable(M5Large, Ec2KubeletSettings.From(new Karpenter.Orleans.CloudProviders.Aws.NodeClasses.KubeletConfiguration())));
    }
}
