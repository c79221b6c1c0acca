using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.Service.Tests.TestSupport;

namespace Karpenter.Orleans.Service.Tests.Grains;

/// <summary>The NodeClaim lifecycle: idempotent launch, replay after a crash, registration timeout, capacity errors, interruption.</summary>
public sealed class NodeClaimGrainTests
{
    private static NodeClaimSpec Spec(string name, params OfferingOption[] options) =>
        new("claims", name, "default", "simulated", "us-east-1", TestObjects.Account,
            options.Length > 0 ? options : [new OfferingOption("m5.large", "us-east-1a", "on-demand", 0.096)],
            new Dictionary<string, string> { ["team"] = "a" }, ["dedicated=web:NoSchedule"], 1000, 1 << 30, ["default/web-0"]);

    [Fact]
    public async Task Creating_twice_launches_once()
    {
        await using var service = await ServiceCluster.StartAsync();
        var claim = service.Grains.GetGrain<INodeClaimGrain>("claims/default-aaaaa");

        var first = await claim.CreateAsync(Spec("default-aaaaa"));
        var second = await claim.CreateAsync(Spec("default-aaaaa"));

        Assert.Equal(NodeClaimPhase.Launched, first.Phase);
        Assert.Equal(first.InstanceId, second.InstanceId);
        Assert.Equal(1, service.Cloud.InstancesCreated);
        var instance = await service.Cloud.GetAsync("us-east-1", first.InstanceId!);
        Assert.Equal("claims", instance!.ClusterId);
        Assert.Equal("{\"team\":\"a\"}", instance.Tags["karpo.io/node-labels"]);
    }

    [Fact]
    public async Task A_launch_replayed_after_a_crash_adopts_the_instance_the_first_call_made()
    {
        await using var service = await ServiceCluster.StartAsync();
        // The first activation reached the cloud, then died before recording the instance.
        var spec = Spec("default-crash");
        var lost = await service.Cloud.LaunchAsync(new LaunchRequest(spec.Region, spec.Account, spec.ClusterId, spec.Name, spec.NodePool,
            [new LaunchOffering("m5.large", "us-east-1a", "on-demand", 0.096)], new Dictionary<string, string>(), $"{spec.ClusterId}/{spec.Name}"));

        var info = await service.Grains.GetGrain<INodeClaimGrain>("claims/default-crash").CreateAsync(spec);

        Assert.Equal(lost.Instance!.Id, info.InstanceId);
        Assert.Equal(1, service.Cloud.InstancesCreated);
    }

    [Fact]
    public async Task A_node_that_never_registers_is_deleted_after_the_registration_ttl()
    {
        await using var service = await ServiceCluster.StartAsync();
        var claim = service.Grains.GetGrain<INodeClaimGrain>("claims/default-ttl");
        var info = await claim.CreateAsync(Spec("default-ttl"));

        service.Clock.Advance(TimeSpan.FromMinutes(14));
        Assert.Equal(NodeClaimPhase.Launched, (await claim.ReconcileAsync())!.Phase);
        service.Clock.Advance(TimeSpan.FromMinutes(2));
        var ended = await claim.ReconcileAsync();

        Assert.Equal(NodeClaimPhase.Terminated, ended!.Phase);
        Assert.Contains("did not register", ended.Reason, StringComparison.Ordinal);
        var instance = await service.Cloud.GetAsync("us-east-1", info.InstanceId!);
        Assert.NotEqual(CloudInstanceState.Running, instance!.State);
        var ledger = await service.Grains.GetGrain<IQuotaGrain>($"simulated/{TestObjects.Account}/us-east-1").GetLedgerAsync();
        Assert.All(ledger, l => Assert.Equal(0, l.InUse + l.Reserved));
    }

    [Fact]
    public async Task Insufficient_capacity_falls_through_to_the_next_offering_and_is_shared_with_the_region()
    {
        await using var service = await ServiceCluster.StartAsync();
        service.Cloud.InjectInsufficientCapacity("m5.large", "us-east-1a", "on-demand");
        var claim = service.Grains.GetGrain<INodeClaimGrain>("claims/default-ice");

        var info = await claim.CreateAsync(Spec("default-ice",
            new OfferingOption("m5.large", "us-east-1a", "on-demand", 0.096),
            new OfferingOption("m5.large", "us-east-1b", "on-demand", 0.096)));

        Assert.Equal("us-east-1b", info.Zone);
        var availability = await service.Grains.GetGrain<IOfferingsGrain>("simulated/us-east-1").GetAvailabilityAsync();
        var marked = Assert.Single(availability.Unavailable);
        Assert.Equal(new OfferingKey("m5.large", "us-east-1a", "on-demand"), marked.Offering);
        Assert.Equal("claims", marked.ReportedBy);

        service.Clock.Advance(TimeSpan.FromMinutes(3.1));
        Assert.Empty((await service.Grains.GetGrain<IOfferingsGrain>("simulated/us-east-1").GetAvailabilityAsync()).Unavailable);
    }

    [Fact]
    public async Task When_every_offering_fails_the_claim_ends_with_the_reason_and_holds_nothing()
    {
        await using var service = await ServiceCluster.StartAsync();
        service.Cloud.InjectInsufficientCapacity("m5.large", "us-east-1a", "on-demand");

        var info = await service.Grains.GetGrain<INodeClaimGrain>("claims/default-none").CreateAsync(Spec("default-none"));

        Assert.Equal(NodeClaimPhase.Terminated, info.Phase);
        Assert.Contains("launch failed", info.Reason, StringComparison.Ordinal);
        Assert.Contains("InsufficientCapacity", info.Reason, StringComparison.Ordinal);
        Assert.Equal(0, service.Cloud.InstancesCreated);
        var cost = await service.Grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey).GetCostAsync();
        Assert.Equal(0, cost.CommittedPerHour);
    }

    [Fact]
    public async Task Permission_denied_ends_the_launch_with_a_clear_reason()
    {
        await using var service = await ServiceCluster.StartAsync();
        service.Cloud.FailAllCalls(CloudErrorCode.Unauthorized, "not authorized to perform ec2:CreateFleet");

        var info = await service.Grains.GetGrain<INodeClaimGrain>("claims/default-deny").CreateAsync(Spec("default-deny"));

        Assert.Equal(NodeClaimPhase.Terminated, info.Phase);
        Assert.Contains("Unauthorized", info.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_spot_interruption_terminates_the_claim_and_teaches_the_region()
    {
        await using var service = await ServiceCluster.StartAsync(configure: s => s["Karpo:Provisioning:InterruptionPolling"] = "false");
        await service.Grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey).RegisterClusterAsync(TestObjects.Registration("claims"), TestObjects.Sha256("x"));
        var info = await service.Grains.GetGrain<INodeClaimGrain>("claims/default-spot").CreateAsync(
            Spec("default-spot", new OfferingOption("m5.large", "us-east-1c", "spot", 0.04)));
        Assert.True(service.Cloud.Interrupt(info.InstanceId!));

        var delivered = await service.Poller.PollOnceAsync(CancellationToken.None);

        Assert.Equal(1, delivered);
        var after = await service.Grains.GetGrain<INodeClaimGrain>("claims/default-spot").GetAsync();
        Assert.Equal(NodeClaimPhase.Terminated, after!.Phase);
        Assert.Contains("interrupted", after.Reason, StringComparison.Ordinal);
        var rates = await service.Grains.GetGrain<IInterruptionRatesGrain>("simulated/us-east-1").GetRatesAsync();
        var pool = Assert.Single(rates);
        Assert.Equal(("m5.large", "us-east-1c", 1, 1), (pool.InstanceType, pool.Zone, pool.Launches, pool.Interruptions));
        var record = await service.Grains.GetGrain<IInstanceGrain>($"simulated/us-east-1/{info.InstanceId}").GetAsync();
        Assert.Contains(record!.Notices, n => n.Kind == InterruptionKind.SpotInterruption);
    }
}
