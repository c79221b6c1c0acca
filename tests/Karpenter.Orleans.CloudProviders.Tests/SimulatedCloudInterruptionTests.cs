using Karpenter.Orleans.CloudProviders.Simulated;
using Karpenter.Orleans.Scheduling.Model;
using static Karpenter.Orleans.CloudProviders.Tests.SimulatedClouds;

namespace Karpenter.Orleans.CloudProviders.Tests;

/// <summary>Spot interruptions: forced ones, the automatic rule, delivery once, and reclaim at the deadline.</summary>
public sealed class SimulatedCloudInterruptionTests
{
    private const string Region = "us-east-1";

    [Fact]
    public async Task A_forced_interruption_is_delivered_once_and_the_instance_is_reclaimed_at_the_deadline()
    {
        var clock = Clock();
        var cloud = Create(clock);
        var id = (await cloud.LaunchAsync(Request(Region, Spot("m5.large")))).Instance!.Id;
        clock.Advance(TimeSpan.FromMinutes(10));

        Assert.True(cloud.Interrupt(id));

        var warning = Assert.Single(await cloud.ReceiveInterruptionsAsync(Region));
        Assert.Equal(new CloudInterruption(id, Region, CloudInterruptionKind.SpotInterruption, clock.GetUtcNow(), clock.GetUtcNow().AddMinutes(2)), warning);
        Assert.Empty(await cloud.ReceiveInterruptionsAsync(Region));
        Assert.Empty(await cloud.ReceiveInterruptionsAsync("us-west-2"));

        clock.Advance(TimeSpan.FromSeconds(119));
        Assert.Equal(CloudInstanceState.Running, (await cloud.GetAsync(Region, id))!.State);
        Assert.Empty(await cloud.ReceiveInterruptionsAsync(Region));

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(CloudInstanceState.Terminated, (await cloud.GetAsync(Region, id))!.State);
        Assert.Empty(await cloud.ListAsync(Region, "cluster-a"));
        var terminated = Assert.Single(await cloud.ReceiveInterruptionsAsync(Region));
        Assert.Equal(new CloudInterruption(id, Region, CloudInterruptionKind.Terminated, warning.Deadline!.Value, null), terminated);
        Assert.Empty(await cloud.ReceiveInterruptionsAsync(Region));
    }

    [Fact]
    public async Task Events_not_received_in_time_wait_in_order()
    {
        var clock = Clock();
        var cloud = Create(clock);
        var id = (await cloud.LaunchAsync(Request(Region, Spot("m5.large")))).Instance!.Id;
        cloud.Interrupt(id);

        clock.Advance(TimeSpan.FromHours(1));

        var events = await cloud.ReceiveInterruptionsAsync(Region);
        Assert.Equal([CloudInterruptionKind.SpotInterruption, CloudInterruptionKind.Terminated], events.Select(e => e.Kind));
        Assert.Equal(Start.AddMinutes(2), events[1].At);
    }

    [Fact]
    public async Task An_instance_terminated_after_the_warning_gets_no_terminated_event()
    {
        var clock = Clock();
        var cloud = Create(clock);
        var id = (await cloud.LaunchAsync(Request(Region, Spot("m5.large")))).Instance!.Id;
        cloud.Interrupt(id);
        Assert.Single(await cloud.ReceiveInterruptionsAsync(Region));

        clock.Advance(TimeSpan.FromSeconds(30));
        await cloud.TerminateAsync(Region, id);
        clock.Advance(TimeSpan.FromMinutes(5));

        Assert.Empty(await cloud.ReceiveInterruptionsAsync(Region));
        Assert.Equal(CloudInstanceState.Terminated, (await cloud.GetAsync(Region, id))!.State);
    }

    [Fact]
    public async Task Only_live_spot_instances_can_be_interrupted_and_only_once()
    {
        var cloud = Create(Clock());
        var spot = (await cloud.LaunchAsync(Request(Region, Spot("m5.large")))).Instance!.Id;
        var onDemand = (await cloud.LaunchAsync(Request(Region, OnDemand("m5.large")))).Instance!.Id;
        var gone = (await cloud.LaunchAsync(Request(Region, Spot("m5.large")))).Instance!.Id;
        await cloud.TerminateAsync(Region, gone);

        Assert.False(cloud.Interrupt("i-0000000000000beef"));
        Assert.False(cloud.Interrupt(gone));
        Assert.Throws<InvalidOperationException>(() => cloud.Interrupt(onDemand));
        Assert.True(cloud.Interrupt(spot));
        Assert.False(cloud.Interrupt(spot));
        Assert.Single(await cloud.ReceiveInterruptionsAsync(Region));
    }

    [Fact]
    public async Task Most_spot_pools_are_calm_and_about_one_in_ten_is_troubled()
    {
        var names = (await Create(Clock()).GetInstanceTypesAsync(Region)).InstanceTypes.Select(t => t.Name).ToList();
        var rates = names.SelectMany(n => new[] { "a", "b", "c" }.Select(z => SimulatedInterruptionRule.PoolHourlyRate(n, Region + z))).ToList();

        Assert.All(rates, r => Assert.True(r is >= 0 and < 0.05 or >= 0.10 and <= 0.30, $"rate {r}"));
        var troubled = rates.Count(r => r >= 0.10) / (double)rates.Count;
        Assert.InRange(troubled, 0.07, 0.13);
    }

    [Fact]
    public async Task Automatic_interruptions_follow_the_rule_and_are_the_same_on_every_run()
    {
        // Spot warnings alone: no scheduled change takes an instance before its warning.
        var (first, ids) = await RunTroubledPoolForTwoDays(SpotWarningsOnly);
        var (second, _) = await RunTroubledPoolForTwoDays(SpotWarningsOnly);

        Assert.Equal(first, second);
        Assert.Equal([CloudInterruptionKind.SpotInterruption, CloudInterruptionKind.Terminated], first.Select(e => e.Kind).Distinct().Order());
        var warnings = first.Where(e => e.Kind == CloudInterruptionKind.SpotInterruption).ToList();
        Assert.NotEmpty(warnings);
        Assert.Equal(warnings.Count, first.Count(e => e.Kind == CloudInterruptionKind.Terminated));
        foreach (var warning in warnings)
        {
            var expected = SimulatedInterruptionRule.WarningAt(warning.InstanceId, ids[warning.InstanceId].Type, ids[warning.InstanceId].Zone, Start.AddSeconds(5));
            Assert.Equal(expected, warning.At);
            Assert.Equal(warning.At.AddMinutes(2), warning.Deadline);
        }

        Assert.Equal(first.OrderBy(e => e.At).Select(e => e.At), first.Select(e => e.At));
    }

    [Fact]
    public async Task Without_automatic_interruptions_nothing_is_interrupted()
    {
        // The rebalance and scheduled-change switches are on by default; without the main switch they do nothing.
        var (events, _) = await RunTroubledPoolForTwoDays(o => o.AutomaticInterruptions = false);

        Assert.Empty(events);
    }

    [Fact]
    public async Task On_demand_instances_get_no_spot_warnings_or_rebalances_only_scheduled_changes()
    {
        var clock = Clock();
        var cloud = Create(clock, o => o.AutomaticInterruptions = true);
        var pool = await TroubledPool(cloud);
        for (var i = 0; i < 30; i++)
        {
            await cloud.LaunchAsync(Request(Region, OnDemand(pool.Type, pool.Zone)));
        }

        clock.Advance(TimeSpan.FromDays(30));

        var kinds = (await cloud.ReceiveInterruptionsAsync(Region)).Select(e => e.Kind).ToHashSet();
        Assert.DoesNotContain(CloudInterruptionKind.SpotInterruption, kinds);
        Assert.DoesNotContain(CloudInterruptionKind.Rebalance, kinds);
        Assert.Contains(CloudInterruptionKind.ScheduledChange, kinds);
    }

    internal static void SpotWarningsOnly(SimulatedCloudOptions o)
    {
        o.AutomaticInterruptions = true;
        o.AutomaticRebalanceRecommendations = false;
        o.ScheduledChangesPerInstanceDay = 0;
    }

    /// <summary>Launches 30 spot instances in a pool with a high interruption rate, then receives events hourly for 48 hours.</summary>
    internal static async Task<(List<CloudInterruption> Events, Dictionary<string, (string Type, string Zone)> Ids)> RunTroubledPoolForTwoDays(Action<SimulatedCloudOptions> configure)
    {
        var clock = Clock();
        var cloud = Create(clock, configure);
        var pool = await TroubledPool(cloud);
        var ids = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        for (var i = 0; i < 30; i++)
        {
            var instance = (await cloud.LaunchAsync(Request(Region, Spot(pool.Type, pool.Zone)))).Instance!;
            ids[instance.Id] = (instance.InstanceType, instance.Zone);
        }

        var events = new List<CloudInterruption>();
        for (var h = 0; h < 48; h++)
        {
            clock.Advance(TimeSpan.FromHours(1));
            events.AddRange(await cloud.ReceiveInterruptionsAsync(Region));
        }

        return (events, ids);
    }

    internal static async Task<(string Type, string Zone)> TroubledPool(SimulatedCloudProvider cloud) =>
        (await cloud.GetInstanceTypesAsync(Region)).InstanceTypes
            .Where(t => t.Offerings.Any(o => o.CapacityType == CapacityTypes.Spot))
            .Select(t => (Type: t.Name, Zone: Region + "a"))
            .First(p => SimulatedInterruptionRule.PoolHourlyRate(p.Type, p.Zone) >= 0.2);
}
