using static Karpenter.Orleans.CloudProviders.Tests.SimulatedClouds;

namespace Karpenter.Orleans.CloudProviders.Tests;

/// <summary>The state file: a restarted simulated cloud still has its instances, tokens and undelivered events.</summary>
public sealed class SimulatedCloudStateFileTests : IDisposable
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
    public async Task A_restarted_cloud_sees_its_instances_tokens_and_pending_events()
    {
        var file = Path.Combine(_dir, "nested", "cloud.json");
        var clock = Clock();
        var before = Create(clock, o => o.StateFile = file);
        var request = Request(Region, OnDemand("m5.large"));
        var kept = (await before.LaunchAsync(request)).Instance!;
        var spot = (await before.LaunchAsync(Request(Region, Spot("c5.large", "us-east-1b")))).Instance!;
        var gone = (await before.LaunchAsync(Request(Region, OnDemand("c5.large")))).Instance!;
        await before.TerminateAsync(Region, gone.Id);
        before.Interrupt(spot.Id);
        clock.Advance(TimeSpan.FromSeconds(10));

        var after = Create(clock, o => o.StateFile = file);

        var restored = (await after.GetAsync(Region, kept.Id))!;
        Assert.Equal(kept with { State = CloudInstanceState.Running }, restored with { Tags = kept.Tags });
        Assert.Equal(kept.Tags, restored.Tags);
        Assert.Equal(CloudInstanceState.Terminated, (await after.GetAsync(Region, gone.Id))!.State);
        // Both launched at the same instant: listed by id.
        Assert.Equal(new[] { kept.Id, spot.Id }.Order(StringComparer.Ordinal), (await after.ListAsync(Region, "cluster-a")).Select(i => i.Id));
        Assert.Equal(kept.Id, (await after.LaunchAsync(request)).Instance!.Id);
        Assert.Equal(3, after.InstancesCreated);
        Assert.Equal(4, after.LaunchCallCount);
        var fresh = (await after.LaunchAsync(Request(Region, OnDemand("m5.large")))).Instance!;
        Assert.DoesNotContain(fresh.Id, new[] { kept.Id, spot.Id, gone.Id });
        Assert.Equal(CloudInterruptionKind.SpotInterruption, Assert.Single(await after.ReceiveInterruptionsAsync(Region)).Kind);

        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(CloudInterruptionKind.Terminated, Assert.Single(await after.ReceiveInterruptionsAsync(Region)).Kind);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(file)!, "*.tmp"));
    }

    [Fact]
    public async Task Received_events_are_not_delivered_again_after_a_restart()
    {
        var file = Path.Combine(_dir, "cloud.json");
        var clock = Clock();
        var before = Create(clock, o => o.StateFile = file);
        var spot = (await before.LaunchAsync(Request(Region, Spot("m5.large")))).Instance!;
        before.Interrupt(spot.Id);
        Assert.Single(await before.ReceiveInterruptionsAsync(Region));

        var after = Create(clock, o => o.StateFile = file);

        Assert.Empty(await after.ReceiveInterruptionsAsync(Region));
        Assert.False(after.Interrupt(spot.Id));
    }

    [Fact]
    public void A_corrupt_state_file_stops_the_start_with_a_message_naming_it()
    {
        Directory.CreateDirectory(_dir);
        var file = Path.Combine(_dir, "cloud.json");
        File.WriteAllText(file, "{ not json");

        var ex = Assert.Throws<InvalidOperationException>(() => Create(Clock(), o => o.StateFile = file));

        Assert.Contains($"StateFile '{file}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_state_file_a_new_cloud_starts_empty()
    {
        var clock = Clock();
        var id = (await Create(clock).LaunchAsync(Request(Region, OnDemand("m5.large")))).Instance!.Id;

        Assert.Null(await Create(clock).GetAsync(Region, id));
    }

    [Fact]
    public async Task Two_clouds_on_one_state_file_share_instances_tokens_and_events_like_one_account()
    {
        // Two silo processes of one service each build a cloud on the same file.
        var file = Path.Combine(_dir, "cloud.json");
        var clock = Clock();
        var first = Create(clock, o => o.StateFile = file);
        var second = Create(clock, o => o.StateFile = file);
        var request = Request(Region, OnDemand("m5.large"));

        var launched = (await first.LaunchAsync(request)).Instance!;
        var replayed = (await second.LaunchAsync(request)).Instance!;
        var other = (await second.LaunchAsync(Request(Region, Spot("c5.large", "us-east-1b")))).Instance!;

        Assert.Equal(launched.Id, replayed.Id);
        Assert.NotEqual(launched.Id, other.Id);
        Assert.Equal(2, first.InstancesCreated);
        Assert.Equal(new[] { launched.Id, other.Id }.Order(StringComparer.Ordinal), (await first.ListAsync(Region, "cluster-a")).Select(i => i.Id));

        await first.TerminateAsync(Region, other.Id);
        Assert.Equal(CloudInstanceState.ShuttingDown, (await second.GetAsync(Region, other.Id))!.State);

        var spot = (await first.LaunchAsync(Request(Region, Spot("m5.large", "us-east-1c")))).Instance!;
        Assert.True(second.Interrupt(spot.Id));
        // Each event is received once, by whichever process asks first.
        var events = (await first.ReceiveInterruptionsAsync(Region)).Concat(await second.ReceiveInterruptionsAsync(Region)).ToList();
        Assert.Single(events);
    }

    [Fact]
    public async Task A_cloud_started_over_without_its_file_never_hands_out_an_id_it_gave_before()
    {
        var file = Path.Combine(_dir, "cloud.json");
        var clock = Clock();
        var before = Create(clock, o => o.StateFile = file);
        var old = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 20; i++)
        {
            old.Add((await before.LaunchAsync(Request(Region, OnDemand("m5.large")))).Instance!.Id);
        }

        File.Delete(file);
        var after = Create(clock, o => o.StateFile = file);
        for (var i = 0; i < 20; i++)
        {
            Assert.DoesNotContain((await after.LaunchAsync(Request(Region, OnDemand("m5.large")))).Instance!.Id, old);
        }
    }

    [Fact]
    public async Task Terminated_instances_are_forgotten_after_a_while_and_their_ids_are_not_reused()
    {
        var file = Path.Combine(_dir, "cloud.json");
        var clock = Clock();
        var cloud = Create(clock, o =>
        {
            o.StateFile = file;
            o.ForgetTerminatedAfter = TimeSpan.FromMinutes(30);
        });
        var gone = (await cloud.LaunchAsync(Request(Region, OnDemand("m5.large")))).Instance!;
        await cloud.TerminateAsync(Region, gone.Id);

        clock.Advance(TimeSpan.FromMinutes(20));
        Assert.Equal(CloudInstanceState.Terminated, (await cloud.GetAsync(Region, gone.Id))!.State);

        clock.Advance(TimeSpan.FromMinutes(20));
        var fresh = (await cloud.LaunchAsync(Request(Region, OnDemand("m5.large")))).Instance!;
        Assert.Null(await cloud.GetAsync(Region, gone.Id));
        Assert.Null(await Create(clock, o => o.StateFile = file).GetAsync(Region, gone.Id));
        Assert.NotEqual(gone.Id, fresh.Id);
    }
}
