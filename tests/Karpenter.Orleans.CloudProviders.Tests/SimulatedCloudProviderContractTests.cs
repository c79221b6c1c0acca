using Karpenter.Orleans.CloudProviders.Simulated;

namespace Karpenter.Orleans.CloudProviders.Tests;

/// <summary>The provider contract, run against the simulated cloud.</summary>
public sealed class SimulatedCloudProviderContractTests : CloudProviderContractTests
{
    private readonly SimulatedCloudProvider _provider = SimulatedClouds.Create(SimulatedClouds.Clock());

    protected override ICloudProvider Provider => _provider;

    protected override string Region => "us-east-1";

    protected override void InjectInsufficientCapacity(LaunchOffering offering) =>
        _provider.InjectInsufficientCapacity(offering.InstanceType, offering.Zone, offering.CapacityType);

    protected override void DenyPermissions() => _provider.FailAllCalls(CloudErrorCode.Unauthorized);
}
