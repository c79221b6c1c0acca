using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Service.Tests.TestSupport;
using static Karpenter.Orleans.Service.Tests.TestSupport.TestObjects;

namespace Karpenter.Orleans.Service.Tests.Grains;

/// <summary>What one cluster learns about a region steers every other cluster there.</summary>
public sealed class SharedKnowledgeTests
{
    [Fact]
    public async Task A_capacity_error_seen_by_cluster_A_steers_cluster_B_away_from_that_offering()
    {
        await using var service = await ServiceCluster.StartAsync();
        var a = await RegisterAsync(service.Grains, "ice-a", [Pod("web-0", "1", "2Gi")]);
        await a.ProvisionAsync();
        var firstChoice = Assert.Single(await a.GetNodeClaimsAsync());
        // A's choice runs out of capacity: A's next launch hits the error.
        await service.Grains.GetGrain<INodeClaimGrain>($"ice-a/{firstChoice.Name}").DeleteAsync("test");
        await Eventually.TrueAsync(async () => (await a.GetNodeClaimsAsync()).Single().Phase == NodeClaimPhase.Terminated, "cluster A sees its claim end");
        service.Cloud.InjectInsufficientCapacity(firstChoice.InstanceType!, firstChoice.Zone!, firstChoice.CapacityType!);
        await a.ProvisionAsync();
        Assert.Contains((await service.Grains.GetGrain<IOfferingsGrain>("simulated/us-east-1").GetAvailabilityAsync()).Unavailable,
            u => u.Offering == new OfferingKey(firstChoice.InstanceType!, firstChoice.Zone!, firstChoice.CapacityType!));

        // The cloud has capacity again, but B only knows what A learned: it does not go there.
        service.Cloud.ClearFaults();
        var launchesBefore = service.Cloud.LaunchCallCount;
        var b = await RegisterAsync(service.Grains, "ice-b", [Pod("web-0", "1", "2Gi")]);
        await b.ProvisionAsync();

        var bChoice = Assert.Single(await b.GetNodeClaimsAsync());
        Assert.Equal(NodeClaimPhase.Launched, bChoice.Phase);
        Assert.NotEqual((firstChoice.InstanceType, firstChoice.Zone, firstChoice.CapacityType), (bChoice.InstanceType, bChoice.Zone, bChoice.CapacityType));
        Assert.Equal(launchesBefore + 1, service.Cloud.LaunchCallCount);
    }

    [Fact]
    public async Task Interruptions_reported_by_cluster_A_change_cluster_B_choice_of_spot_pools()
    {
        await using var service = await ServiceCluster.StartAsync();
        var spotOnly = NodePool(capacityTypes: "\"spot\"");
        var a = await RegisterAsync(service.Grains, "spot-a", [Pod("job-0", "1", "2Gi")], nodePool: spotOnly);
        await a.ProvisionAsync();
        var interrupted = Assert.Single(await a.GetNodeClaimsAsync());
        Assert.Equal("spot", interrupted.CapacityType);
        // Control: before anything is learned, another cluster with the same pods picks the same pool.
        var control = await RegisterAsync(service.Grains, "spot-c", [Pod("job-0", "1", "2Gi")], nodePool: spotOnly);
        await control.ProvisionAsync();
        var controlChoice = Assert.Single(await control.GetNodeClaimsAsync());
        Assert.Equal((interrupted.InstanceType, interrupted.Zone), (controlChoice.InstanceType, controlChoice.Zone));
        Assert.True(service.Cloud.Interrupt(interrupted.InstanceId!));
        await service.Poller.PollOnceAsync(CancellationToken.None);
        Assert.Equal(NodeClaimPhase.Terminated, (await service.Grains.GetGrain<INodeClaimGrain>($"spot-a/{interrupted.Name}").GetAsync())!.Phase);

        // Long after the offering's short unavailability, the learned rate still steers B.
        service.Clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Empty((await service.Grains.GetGrain<IOfferingsGrain>("simulated/us-east-1").GetAvailabilityAsync()).Unavailable);
        var b = await RegisterAsync(service.Grains, "spot-b", [Pod("job-0", "1", "2Gi")], nodePool: spotOnly);
        await b.ProvisionAsync();

        var bChoice = Assert.Single(await b.GetNodeClaimsAsync());
        Assert.Equal("spot", bChoice.CapacityType);
        Assert.NotEqual((interrupted.InstanceType, interrupted.Zone), (bChoice.InstanceType, bChoice.Zone));

        // The evidence decays: a day later the pool is below the avoidance threshold (0.2) and may be used again.
        var rates = service.Grains.GetGrain<IInterruptionRatesGrain>("simulated/us-east-1");
        Assert.True(Rate(await rates.GetRatesAsync(), interrupted) >= 0.2);
        service.Clock.Advance(TimeSpan.FromHours(24));
        Assert.True(Rate(await rates.GetRatesAsync(), interrupted) < 0.2);
    }

    private static double Rate(IReadOnlyList<SpotPoolRate> rates, NodeClaimInfo pool) =>
        rates.Single(r => r.InstanceType == pool.InstanceType && r.Zone == pool.Zone).InterruptionRate;
}
