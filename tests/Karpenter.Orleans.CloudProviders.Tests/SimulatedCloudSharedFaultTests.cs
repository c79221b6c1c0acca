using Karpenter.Orleans.CloudProviders.Simulated;
using static Karpenter.Orleans.CloudProviders.Tests.SimulatedClouds;

namespace Karpenter.Orleans.CloudProviders.Tests;

/// <summary>
/// FailCalls: faults per kind of call, kept with the shared state, so one process (the fault suite) can make
/// the cloud another process (a silo) uses fail for a while.
/// </summary>
public sealed class SimulatedCloudSharedFaultTests : IDisposable
{
    private const string Region = "us-east-1";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sim-cloud-" + Guid.NewGuid().ToString("n"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_fault_set_by_one_cloud_fails_only_its_kind_of_call_in_another_on_the_same_file()
    {
        var file = Path.Combine(_dir, "cloud.json");
        var clock = Clock();
        var silo = Create(clock, o => o.StateFile = file);
        var test = Create(clock, o => o.StateFile = file);
        var running = (await silo.LaunchAsync(Request(Region, OnDemand("m5.large")))).Instance!;

        test.FailCalls(SimulatedCloudOperations.Launch | SimulatedCloudOperations.Terminate, CloudErrorCode.Throttled);

        var launch = await Assert.ThrowsAsync<CloudProviderException>(() => silo.LaunchAsync(Request(Region, OnDemand("m5.large"))));
        Assert.Equal(CloudErrorCode.Throttled, launch.Code);
        Assert.Equal(CloudErrorCode.Throttled, (await Assert.ThrowsAsync<CloudProviderException>(() => silo.TerminateAsync(Region, running.Id))).Code);
        // Listing and reading still work: only the named kinds fail.
        Assert.Equal(running.Id, Assert.Single(await silo.ListAsync(Region, "cluster-a")).Id);
        Assert.NotNull(await silo.GetAsync(Region, running.Id));
        Assert.Equal(1, silo.InstancesCreated);

        test.ClearFaults();

        await silo.TerminateAsync(Region, running.Id);
        Assert.Equal(CloudInstanceState.ShuttingDown, (await silo.GetAsync(Region, running.Id))!.State);
        Assert.NotNull((await silo.LaunchAsync(Request(Region, OnDemand("m5.large")))).Instance);
    }

    [Fact]
    public async Task Listing_and_get_faults_end_by_themselves_at_their_until_time()
    {
        var file = Path.Combine(_dir, "cloud.json");
        var clock = Clock();
        var silo = Create(clock, o => o.StateFile = file);
        var test = Create(clock, o => o.StateFile = file);
        var instance = (await silo.LaunchAsync(Request(Region, OnDemand("m5.large")))).Instance!;

        test.FailCalls(SimulatedCloudOperations.List | SimulatedCloudOperations.Get, CloudErrorCode.Internal, until: clock.GetUtcNow().AddSeconds(30), message: "outage drill");

        var list = await Assert.ThrowsAsync<CloudProviderException>(() => silo.ListAsync(Region, "cluster-a"));
        Assert.Equal((CloudErrorCode.Internal, "outage drill"), (list.Code, list.Message));
        Assert.Equal(CloudErrorCode.Internal, (await Assert.ThrowsAsync<CloudProviderException>(() => silo.GetAsync(Region, instance.Id))).Code);

        clock.Advance(TimeSpan.FromSeconds(30));

        Assert.Single(await silo.ListAsync(Region, "cluster-a"));
        Assert.NotNull(await silo.GetAsync(Region, instance.Id));
    }

    [Fact]
    public async Task A_fault_survives_a_restart_of_the_cloud_on_its_file_until_cleared()
    {
        var file = Path.Combine(_dir, "cloud.json");
        var clock = Clock();
        Create(clock, o => o.StateFile = file).FailCalls(SimulatedCloudOperations.ReceiveInterruptions, CloudErrorCode.Unauthorized);

        var restarted = Create(clock, o => o.StateFile = file);

        Assert.Equal(CloudErrorCode.Unauthorized, (await Assert.ThrowsAsync<CloudProviderException>(() => restarted.ReceiveInterruptionsAsync(Region))).Code);
        restarted.ClearFaults();
        Assert.Empty(await Create(clock, o => o.StateFile = file).ReceiveInterruptionsAsync(Region));
    }

    [Fact]
    public async Task A_cloud_in_memory_fails_calls_the_same_way()
    {
        var cloud = Create(Clock());

        cloud.FailCalls(SimulatedCloudOperations.All, CloudErrorCode.Internal);

        Assert.Equal(CloudErrorCode.Internal, (await Assert.ThrowsAsync<CloudProviderException>(() => cloud.ListAsync(Region, "cluster-a"))).Code);
        Assert.Equal(CloudErrorCode.Internal, (await Assert.ThrowsAsync<CloudProviderException>(() => cloud.LaunchAsync(Request(Region, OnDemand("m5.large"))))).Code);
        Assert.Equal(1, cloud.LaunchCallCount);
        Assert.Equal(0, cloud.InstancesCreated);
    }

    [Theory]
    [InlineData(SimulatedCloudOperations.None, CloudErrorCode.Internal)]
    [InlineData((SimulatedCloudOperations)64, CloudErrorCode.Internal)]
    [InlineData(SimulatedCloudOperations.Launch, CloudErrorCode.InsufficientCapacity)]
    public void A_fault_that_names_no_call_or_a_per_offering_code_is_refused(SimulatedCloudOperations operations, CloudErrorCode code)
    {
        var cloud = Create(Clock());

        Assert.Throws<ArgumentOutOfRangeException>(() => cloud.FailCalls(operations, code));
    }
}
