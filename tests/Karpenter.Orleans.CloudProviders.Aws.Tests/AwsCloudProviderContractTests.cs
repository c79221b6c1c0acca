using System.Net;
using Karpenter.Orleans.CloudProviders.Tests;

namespace Karpenter.Orleans.CloudProviders.Aws.Tests;

/// <summary>
/// The contract every <see cref="ICloudProvider"/> keeps, for the AWS provider against moto: capacity errors come
/// from the fault injector as CreateFleet's <c>errorSet</c>, a missing permission as EC2's
/// <c>UnauthorizedOperation</c> on every call. Each test starts from a reset moto and a new provider.
/// </summary>
[Collection(MotoCollection.Name)]
public sealed class AwsCloudProviderContractTests(MotoServer moto) : CloudProviderContractTests, IAsyncLifetime
{
    private AwsLaunchHarness _aws = null!;

    protected override ICloudProvider Provider => _aws.Cloud;

    protected override string Region => AwsLaunchHarness.Region;

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

    protected override void InjectInsufficientCapacity(LaunchOffering offering) =>
        _aws.Faults.InsufficientCapacity(offering.InstanceType, offering.Zone);

    protected override void DenyPermissions() => _aws.Faults.FailAll(HttpStatusCode.Forbidden, "UnauthorizedOperation");
}
