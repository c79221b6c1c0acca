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
        Assert.Equal([kept.Id, spot.Id], (await after.ListAsync(Region, "cluster-a")).Select(i => i.Id));
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
}
