using Karpenter.Orleans.CloudProviders.Simulated;
using static Karpenter.Orleans.CloudProviders.Tests.SimulatedCloudInterruptionTests;
using static Karpenter.Orleans.CloudProviders.Tests.SimulatedClouds;

namespace Karpenter.Orleans.CloudProviders.Tests;

/// <summary>
/// Rebalance recommendations and scheduled changes: the documented rules, the manual triggers, the
/// Stopping and Terminated events that end a retired instance, and delivery once across processes.
/// </summary>
public sealed class SimulatedCloudEventRuleTests : IDisposable
{
    private const string Region = "us-east-1";
    private static readonly DateTimeOffset Running = Start.AddSeconds(5);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sim-cloud-" + Guid.NewGuid().ToString("n"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task Rebalances_come_by_the_rule_before_warnings_and_as_false_alarms()
    {
        var (events, ids) = await RunTroubledPoolForTwoDays(o =>
        {
            o.AutomaticInterruptions = true;
            o.ScheduledChangesPerInstanceDay = 0;
        });
        var end = Start.AddHours(48);

        var expected = new List<(string Id, DateTimeOffset At)>();
        var falseAlarms = 0;
        foreach (var (id, (type, zone)) in ids)
        {
            var warningAt = SimulatedInterruptionRule.WarningAt(id, type, zone, Running);
            if (SimulatedInterruptionRule.FalseAlarmAt(id, type, zone, Running, warningAt) is { } alarm)
            {
                expected.Add((id, alarm));
                falseAlarms++;
                Assert.True(warningAt is null || warningAt >= alarm.AddHours(1), $"false alarm of {id} at {alarm} is followed by its warning at {warningAt}");
            }

            if (warningAt is { } w && SimulatedInterruptionRule.RebalanceBefore(id, w, Running) is { } ahead)
            {
                expected.Add((id, ahead));
                Assert.InRange(w - ahead, TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(20));
            }
        }

        var rebalances = events.Where(e => e.Kind == CloudInterruptionKind.Rebalance).ToList();
        Assert.All(rebalances, r => Assert.Null(r.Deadline));
        Assert.Equal(
            expected.Where(e => e.At <= end).OrderBy(e => e.At).ThenBy(e => e.Id, StringComparer.Ordinal),
            rebalances.Select(r => (r.InstanceId, r.At)).OrderBy(e => e.At).ThenBy(e => e.InstanceId, StringComparer.Ordinal));
        Assert.True(falseAlarms > 0, "a troubled pool of 30 instances should have false alarms");

        // Each warning whose rebalance fits after the start is delivered after that rebalance.
        var warnings = events.Where(e => e.Kind == CloudInterruptionKind.SpotInterruption).ToList();
        Assert.Contains(warnings, w => SimulatedInterruptionRule.RebalanceBefore(w.InstanceId, w.At, Running) is not null);
        foreach (var warning in warnings)
        {
            if (SimulatedInterruptionRule.RebalanceBefore(warning.InstanceId, warning.At, Running) is { } ahead)
            {
                var rebalance = events.FindIndex(e => e.InstanceId == warning.InstanceId && e.Kind == CloudInterruptionKind.Rebalance && e.At == ahead);
                Assert.InRange(rebalance, 0, events.IndexOf(warning) - 1);
            }
        }
    }

    [Fact]
    public async Task The_rules_are_the_formulas_written_in_the_docs()
    {
        var troubledPool = await TroubledPool(Create(Clock()));
        // Recomputed here from docs/simulated-cloud.md with the bare hash, so the rule cannot drift from the text.
        static ulong Fnv(string s) => SimulatedHash.Fnv1a64(s);
        static double Unit(string s) => Fnv(s) % 10000 / 10000.0;
        var warningAt = Running.AddHours(3);
        for (var n = 1; n <= 200; n++)
        {
            var id = $"i-0{Fnv($"0/{n}"):x16}";
            var lead = TimeSpan.FromMinutes(2 + (double)(Fnv($"rebalance/{id}") % 19));
            Assert.Equal(warningAt - lead, SimulatedInterruptionRule.RebalanceBefore(id, warningAt, Running));
            Assert.Null(SimulatedInterruptionRule.RebalanceBefore(id, Running.AddMinutes(1), Running));

            DateTimeOffset? change = null;
            for (var d = 0; d < 30 && change is null; d++)
            {
                if (Unit($"scheduled/{id}/{d}") < 0.02)
                {
                    change = Running.AddDays(d).AddSeconds(Fnv($"scheduled-at/{id}/{d}") % 86400);
                }
            }

            var rule = SimulatedScheduledChangeRule.ChangeAt(id, Running, 0.02);
            Assert.Equal(change, rule?.At);
            if (rule is { } c)
            {
                Assert.Equal(TimeSpan.FromMinutes(10 + (double)(Fnv($"scheduled-lead/{id}") % 51)), c.Deadline - c.At);
            }

            foreach (var (type, zone) in new[] { troubledPool, ("m5.large", "us-east-1a") })
            {
                var troubled = SimulatedInterruptionRule.PoolHourlyRate(type, zone) >= 0.10;
                DateTimeOffset? alarm = troubled && Unit($"rebalance-alone/{id}") < 0.5
                    ? Running.AddSeconds(Fnv($"rebalance-alone-at/{id}") % 21600)
                    : null;
                Assert.Equal(alarm, SimulatedInterruptionRule.FalseAlarmAt(id, type, zone, Running, null));
                Assert.Null(SimulatedInterruptionRule.FalseAlarmAt(id, type, zone, Running, alarm?.AddMinutes(59)));
            }
        }
    }

    [Fact]
    public async Task A_forced_warning_makes_the_rebalances_still_to_come_moot()
    {
        var clock = Clock();
        var cloud = Create(clock, o =>
        {
            o.AutomaticInterruptions = true;
            o.ScheduledChangesPerInstanceDay = 0;
        });
        var pool = await TroubledPool(cloud);
        var ids = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            ids.Add((await cloud.LaunchAsync(Request(Region, Spot(pool.Type, pool.Zone)))).Instance!.Id);
        }

        clock.Advance(TimeSpan.FromSeconds(5));
        foreach (var id in ids)
        {
            Assert.True(cloud.Interrupt(id));
        }

        clock.Advance(TimeSpan.FromDays(2));

        var events = await cloud.ReceiveInterruptionsAsync(Region);
        Assert.Equal(ids.Count * 2, events.Count);
        Assert.DoesNotContain(events, e => e.Kind == CloudInterruptionKind.Rebalance);
        Assert.Contains(ids, id => SimulatedInterruptionRule.WarningAt(id, pool.Type, pool.Zone, Running) is { } w
            && SimulatedInterruptionRule.RebalanceBefore(id, w, Running) is not null);
    }

    [Fact]
    public async Task Turning_rebalances_off_leaves_the_warnings_as_they_were()
    {
        var (all, _) = await RunTroubledPoolForTwoDays(o =>
        {
            o.AutomaticInterruptions = true;
            o.ScheduledChangesPerInstanceDay = 0;
        });
        var (without, _) = await RunTroubledPoolForTwoDays(SpotWarningsOnly);

        Assert.Contains(all, e => e.Kind == CloudInterruptionKind.Rebalance);
        Assert.Equal(all.Where(e => e.Kind != CloudInterruptionKind.Rebalance), without);
    }

    [Fact]
    public async Task Scheduled_changes_follow_the_rule_and_the_instance_is_stopped_at_the_deadline()
    {
        var (first, ids) = await RunOnDemandForThirtyDays();
        var (second, _) = await RunOnDemandForThirtyDays();

        Assert.Equal(first, second);
        var changes = first.Where(e => e.Kind == CloudInterruptionKind.ScheduledChange).ToList();
        Assert.InRange(changes.Count, 5, 35);
        foreach (var id in ids)
        {
            var rule = SimulatedScheduledChangeRule.ChangeAt(id, Running, 0.02);
            var mine = first.Where(e => e.InstanceId == id).ToList();
            if (rule is not { } change)
            {
                Assert.Empty(mine);
                continue;
            }

            Assert.InRange(change.Deadline - change.At, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(60));
            Assert.Equal(
                [
                    new CloudInterruption(id, Region, CloudInterruptionKind.ScheduledChange, change.At, change.Deadline),
                    new CloudInterruption(id, Region, CloudInterruptionKind.Stopping, change.Deadline, null),
                    new CloudInterruption(id, Region, CloudInterruptionKind.Terminated, change.Deadline.AddSeconds(5), null),
                ],
                mine);
        }

        Assert.Equal(first.OrderBy(e => e.At).Select(e => e.At), first.Select(e => e.At));
    }

    [Fact]
    public async Task A_forced_scheduled_change_stops_the_instance_at_its_deadline_then_ends_it()
    {
        var clock = Clock();
        var cloud = Create(clock);
        var id = (await cloud.LaunchAsync(Request(Region, OnDemand("m5.large")))).Instance!.Id;
        clock.Advance(TimeSpan.FromMinutes(10));
        var deadline = clock.GetUtcNow().AddMinutes(30);

        Assert.True(cloud.ScheduleChange(id, TimeSpan.FromMinutes(30)));

        Assert.Equal(
            new CloudInterruption(id, Region, CloudInterruptionKind.ScheduledChange, clock.GetUtcNow(), deadline),
            Assert.Single(await cloud.ReceiveInterruptionsAsync(Region)));
        clock.Advance(TimeSpan.FromMinutes(30) - TimeSpan.FromSeconds(1));
        Assert.Equal(CloudInstanceState.Running, (await cloud.GetAsync(Region, id))!.State);
        Assert.Empty(await cloud.ReceiveInterruptionsAsync(Region));

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(CloudInstanceState.ShuttingDown, (await cloud.GetAsync(Region, id))!.State);
        Assert.Equal(new CloudInterruption(id, Region, CloudInterruptionKind.Stopping, deadline, null), Assert.Single(await cloud.ReceiveInterruptionsAsync(Region)));
        // The owner's terminate after the stop changes nothing; the cloud already ends the instance.
        await cloud.TerminateAsync(Region, id);

        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(CloudInstanceState.Terminated, (await cloud.GetAsync(Region, id))!.State);
        Assert.Empty(await cloud.ListAsync(Region, "cluster-a"));
        Assert.Equal(new CloudInterruption(id, Region, CloudInterruptionKind.Terminated, deadline.AddSeconds(5), null), Assert.Single(await cloud.ReceiveInterruptionsAsync(Region)));
        Assert.Empty(await cloud.ReceiveInterruptionsAsync(Region));
    }

    [Fact]
    public async Task A_spot_reclaim_before_the_scheduled_deadline_leaves_no_stop()
    {
        var clock = Clock();
        var cloud = Create(clock);
        var id = (await cloud.LaunchAsync(Request(Region, Spot("m5.large")))).Instance!.Id;
        Assert.True(cloud.ScheduleChange(id, TimeSpan.FromMinutes(10)));
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True(cloud.Interrupt(id));

        clock.Advance(TimeSpan.FromHours(1));

        Assert.Equal(
            [CloudInterruptionKind.ScheduledChange, CloudInterruptionKind.SpotInterruption, CloudInterruptionKind.Terminated],
            (await cloud.ReceiveInterruptionsAsync(Region)).Select(e => e.Kind));
    }

    [Fact]
    public async Task Manual_triggers_answer_like_Interrupt()
    {
        var clock = Clock();
        var cloud = Create(clock);
        var spot = (await cloud.LaunchAsync(Request(Region, Spot("m5.large")))).Instance!.Id;
        var onDemand = (await cloud.LaunchAsync(Request(Region, OnDemand("m5.large")))).Instance!.Id;
        var gone = (await cloud.LaunchAsync(Request(Region, Spot("m5.large")))).Instance!.Id;
        await cloud.TerminateAsync(Region, gone);
        clock.Advance(TimeSpan.FromMinutes(1));

        Assert.False(cloud.RecommendRebalance("i-0000000000000beef"));
        Assert.False(cloud.RecommendRebalance(gone));
        Assert.Throws<InvalidOperationException>(() => cloud.RecommendRebalance(onDemand));
        Assert.True(cloud.RecommendRebalance(spot));
        Assert.Equal(new CloudInterruption(spot, Region, CloudInterruptionKind.Rebalance, clock.GetUtcNow(), null), Assert.Single(await cloud.ReceiveInterruptionsAsync(Region)));

        Assert.False(cloud.ScheduleChange("i-0000000000000beef", TimeSpan.FromMinutes(10)));
        Assert.False(cloud.ScheduleChange(gone, TimeSpan.FromMinutes(10)));
        Assert.Throws<ArgumentOutOfRangeException>(() => cloud.ScheduleChange(onDemand, TimeSpan.Zero));
        Assert.True(cloud.ScheduleChange(onDemand, TimeSpan.FromMinutes(10)));
        Assert.False(cloud.ScheduleChange(onDemand, TimeSpan.FromMinutes(20)));
        Assert.Equal(CloudInterruptionKind.ScheduledChange, Assert.Single(await cloud.ReceiveInterruptionsAsync(Region)).Kind);

        // Once warned, a rebalance recommendation has nothing left to say.
        Assert.True(cloud.Interrupt(spot));
        Assert.False(cloud.RecommendRebalance(spot));
        Assert.Equal(CloudInterruptionKind.SpotInterruption, Assert.Single(await cloud.ReceiveInterruptionsAsync(Region)).Kind);
    }

    [Fact]
    public async Task Instances_terminated_by_their_owner_first_get_no_events()
    {
        var clock = Clock();
        var cloud = Create(clock, o =>
        {
            o.AutomaticInterruptions = true;
            o.ScheduledChangesPerInstanceDay = 0.5;
        });
        var pool = await TroubledPool(cloud);
        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add((await cloud.LaunchAsync(Request(Region, Spot(pool.Type, pool.Zone)))).Instance!.Id);
            ids.Add((await cloud.LaunchAsync(Request(Region, OnDemand(pool.Type, pool.Zone)))).Instance!.Id);
        }

        // Every rule starts counting when an instance is running; these are gone before that.
        foreach (var id in ids)
        {
            await cloud.TerminateAsync(Region, id);
        }

        for (var h = 0; h < 24 * 30; h += 6)
        {
            clock.Advance(TimeSpan.FromHours(6));
            Assert.Empty(await cloud.ReceiveInterruptionsAsync(Region));
        }

        Assert.Contains(ids, id => SimulatedScheduledChangeRule.ChangeAt(id, Running, 0.5) is not null);
        Assert.Contains(ids, id => SimulatedInterruptionRule.WarningAt(id, pool.Type, pool.Zone, Running) is not null);
    }

    [Fact]
    public async Task An_instance_terminated_after_the_notice_gets_no_stop()
    {
        var clock = Clock();
        var cloud = Create(clock);
        var id = (await cloud.LaunchAsync(Request(Region, OnDemand("m5.large")))).Instance!.Id;
        cloud.ScheduleChange(id, TimeSpan.FromMinutes(15));
        Assert.Single(await cloud.ReceiveInterruptionsAsync(Region));

        clock.Advance(TimeSpan.FromMinutes(5));
        await cloud.TerminateAsync(Region, id);
        clock.Advance(TimeSpan.FromHours(1));

        Assert.Empty(await cloud.ReceiveInterruptionsAsync(Region));
    }

    [Fact]
    public async Task Each_event_is_delivered_once_across_a_reload_of_the_state_file()
    {
        var file = Path.Combine(_dir, "cloud.json");
        var clock = Clock();
        var first = Create(clock, o => o.StateFile = file);
        var spot = (await first.LaunchAsync(Request(Region, Spot("m5.large")))).Instance!.Id;
        var onDemand = (await first.LaunchAsync(Request(Region, OnDemand("m5.large")))).Instance!.Id;
        first.RecommendRebalance(spot);
        Assert.Equal(CloudInterruptionKind.Rebalance, Assert.Single(await first.ReceiveInterruptionsAsync(Region)).Kind);
        first.ScheduleChange(onDemand, TimeSpan.FromMinutes(20));

        // A restarted silo (or a second one) reads the file: the rebalance is gone, the notice waits.
        var second = Create(clock, o => o.StateFile = file);
        Assert.Equal(CloudInterruptionKind.ScheduledChange, Assert.Single(await second.ReceiveInterruptionsAsync(Region)).Kind);
        Assert.Empty(await first.ReceiveInterruptionsAsync(Region));
        Assert.False(second.ScheduleChange(onDemand, TimeSpan.FromMinutes(5)));

        clock.Advance(TimeSpan.FromMinutes(20));
        Assert.Equal(CloudInterruptionKind.Stopping, Assert.Single(await first.ReceiveInterruptionsAsync(Region)).Kind);

        clock.Advance(TimeSpan.FromSeconds(5));
        var third = Create(clock, o => o.StateFile = file);
        var ended = (await third.ReceiveInterruptionsAsync(Region)).Concat(await second.ReceiveInterruptionsAsync(Region)).Concat(await first.ReceiveInterruptionsAsync(Region));
        Assert.Equal(new CloudInterruption(onDemand, Region, CloudInterruptionKind.Terminated, Start.AddMinutes(20).AddSeconds(5), null), Assert.Single(ended));
    }

    [Fact]
    public async Task The_rules_planned_at_launch_survive_a_reload_and_play_once_between_processes()
    {
        // Ids with a state file carry a random epoch, so the expectations are worked out from the rules per id.
        var file = Path.Combine(_dir, "cloud.json");
        var clock = Clock();
        var before = Create(clock, o =>
        {
            o.StateFile = file;
            o.AutomaticInterruptions = true;
            o.ScheduledChangesPerInstanceDay = 0.5;
        });
        var pool = await TroubledPool(before);
        var spot = new List<string>();
        var onDemand = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            spot.Add((await before.LaunchAsync(Request(Region, Spot(pool.Type, pool.Zone)))).Instance!.Id);
            onDemand.Add((await before.LaunchAsync(Request(Region, OnDemand(pool.Type, pool.Zone)))).Instance!.Id);
        }

        // A second process on the file, with the rules off: what was planned at launch is in the file.
        var after = Create(clock, o =>
        {
            o.StateFile = file;
            o.AutomaticInterruptions = false;
        });
        var events = new List<CloudInterruption>();
        for (var h = 0; h < 48; h++)
        {
            clock.Advance(TimeSpan.FromHours(1));
            events.AddRange(await (h % 2 == 0 ? after : before).ReceiveInterruptionsAsync(Region));
        }

        var now = clock.GetUtcNow();
        Assert.Equal(events.Distinct().Count(), events.Count);
        foreach (var id in onDemand)
        {
            var mine = events.Where(e => e.InstanceId == id).ToList();
            if (SimulatedScheduledChangeRule.ChangeAt(id, Running, 0.5) is { } c && c.Deadline.AddSeconds(5) <= now)
            {
                Assert.Equal(
                    [
                        new CloudInterruption(id, Region, CloudInterruptionKind.ScheduledChange, c.At, c.Deadline),
                        new CloudInterruption(id, Region, CloudInterruptionKind.Stopping, c.Deadline, null),
                        new CloudInterruption(id, Region, CloudInterruptionKind.Terminated, c.Deadline.AddSeconds(5), null),
                    ],
                    mine);
            }
        }

        foreach (var id in spot)
        {
            var mine = events.Where(e => e.InstanceId == id).ToList();
            var warning = SimulatedInterruptionRule.WarningAt(id, pool.Type, pool.Zone, Running);
            var change = SimulatedScheduledChangeRule.ChangeAt(id, Running, 0.5);
            // Whichever deadline comes first takes the instance; its end is the last event and there is one.
            var warnedFirst = warning is { } w && (change is not { } c || w.AddMinutes(2) <= c.Deadline);
            var end = warnedFirst ? warning!.Value.AddMinutes(2) : change?.Deadline.AddSeconds(5);
            if (end <= now)
            {
                Assert.Equal(new CloudInterruption(id, Region, CloudInterruptionKind.Terminated, end.Value, null), mine[^1]);
                Assert.Single(mine, e => e.Kind == CloudInterruptionKind.Terminated);
                Assert.Equal(warnedFirst ? 0 : 1, mine.Count(e => e.Kind == CloudInterruptionKind.Stopping));
                // A warning just before a scheduled stop is still sent; at the same instant the stop wins.
                var warned = warning is { } wa && (change is not { } ch || wa < ch.Deadline);
                Assert.Equal(warned ? 1 : 0, mine.Count(e => e.Kind == CloudInterruptionKind.SpotInterruption));
            }

            if (warnedFirst && SimulatedInterruptionRule.RebalanceBefore(id, warning!.Value, Running) is { } ahead && warning <= now)
            {
                Assert.Contains(new CloudInterruption(id, Region, CloudInterruptionKind.Rebalance, ahead, null), mine);
            }
        }

        Assert.Contains(events, e => e.Kind == CloudInterruptionKind.Rebalance);
        Assert.Contains(events, e => e.Kind == CloudInterruptionKind.Stopping);
    }

    /// <summary>Launches 40 on-demand instances and receives events daily for 30 days, with the default rules on.</summary>
    private static async Task<(List<CloudInterruption> Events, List<string> Ids)> RunOnDemandForThirtyDays()
    {
        var clock = Clock();
        var cloud = Create(clock, o => o.AutomaticInterruptions = true);
        var ids = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            ids.Add((await cloud.LaunchAsync(Request(Region, OnDemand("m5.large", "us-east-1" + "abc"[i % 3])))).Instance!.Id);
        }

        var events = new List<CloudInterruption>();
        for (var d = 0; d < 31; d++)
        {
            clock.Advance(TimeSpan.FromDays(1));
            events.AddRange(await cloud.ReceiveInterruptionsAsync(Region));
        }

        return (events, ids);
    }
}
