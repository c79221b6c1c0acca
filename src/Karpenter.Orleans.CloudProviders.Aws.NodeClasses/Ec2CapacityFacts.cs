namespace Karpenter.Orleans.CloudProviders.Aws.NodeClasses;

/// <summary>
/// What EC2 says about an instance type's hardware, as far as allocatable depends on it.
/// <paramref name="MaxNetworkInterfaces"/> is the default network card's limit (Karpenter counts only it);
/// <paramref name="Architecture"/> is the Kubernetes name (amd64, arm64).
/// </summary>
public sealed record Ec2CapacityFacts(
    string Name,
    int VCpus,
    long MemoryMiB,
    string Architecture,
    int MaxNetworkInterfaces,
    int Ipv4AddressesPerInterface,
    int NvidiaGpus = 0,
    int NeuronDevices = 0,
    int NeuronCores = 0,
    int EfaInterfaces = 0);
