using System.Collections.Concurrent;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Silo.Api;
using Karpenter.Orleans.Silo.Console;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.Silo.Tests.Console;

/// <summary>
/// The silo's fleet snapshot: what a fleet page and the fleet-wide API show when a cluster is slow, fails, or
/// comes and goes. The clusters are fakes whose answers the tests hold back or let through.
/// </summary>
public sealed class FleetSnapshotTests
{
    private static readonly ConsoleOptions Options = new() { ClusterTimeout = TimeSpan.FromMilliseconds(50), StaleAfter = TimeSpan.FromMinutes(5) };

    [Fact]
    public async Task A_cluster_that_does_not_answer_keeps_its_last_answer_is_marked_stale_and_does_not_hold_up_the_others()
    {
        var fleet = new FakeFleet("fleet-a", "fleet-b");
        var (snapshot, refresher) = Start(fleet);
        await refresher.RefreshAsync();
        Assert.Equal([1, 1], snapshot.Clusters.Select(c => c.Answer!.Status.Nodes));

        fleet.Nodes["fleet-a"] = 2;
        fleet.Nodes["fleet-b"] = 2;
        var held = fleet.Hold("fleet-b");
        await refresher.RefreshAsync();

        var a = snapshot.Of("fleet-a")!;
        var b = snapshot.Of("fleet-b")!;
        Assert.Equal(2, a.Answer!.Status.Nodes);
        Assert.False(a.IsStale(DateTimeOffset.UtcNow, Options.StaleAfter));
        Assert.Equal(1, b.Answer!.Status.Nodes);
        Assert.True(b.IsStale(DateTimeOffset.UtcNow, Options.StaleAfter));
        Assert.Contains("did not answer within", b.Problem, StringComparison.Ordinal);

        // While its read is still under way the cluster is not asked again.
        await refresher.RefreshAsync();
        Assert.Equal(2, fleet.Reads["fleet-b"]);
        Assert.Equal(3, fleet.Reads["fleet-a"]);

        // Its late answer is the newest there is: it replaces the old one and the cluster is fresh again.
        held.SetResult();
        await WaitForAsync(() => snapshot.Of("fleet-b")!.Problem is null);
        Assert.Equal(2, snapshot.Of("fleet-b")!.Answer!.Status.Nodes);
        await refresher.RefreshAsync();
        Assert.Equal(3, fleet.Reads["fleet-b"]);
    }

    [Fact]
    public async Task A_failing_cluster_shows_its_error_and_its_last_answer()
    {
        var fleet = new FakeFleet("fleet-a");
        var (snapshot, refresher) = Start(fleet);
        await refresher.RefreshAsync();
        fleet.Failure = "the grain is broken";
        await refresher.RefreshAsync();

        var a = snapshot.Of("fleet-a")!;
        Assert.Equal("the grain is broken", a.Problem);
        Assert.Equal(1, a.Answer!.Status.Nodes);
        Assert.Contains("the grain is broken", ConsoleFormat.Freshness(a, DateTimeOffset.UtcNow), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_snapshot_follows_the_registrations()
    {
        var fleet = new FakeFleet("fleet-a", "fleet-b");
        var (snapshot, refresher) = Start(fleet);
        Assert.False(snapshot.IsRead);
        await refresher.RefreshAsync();
        Assert.True(snapshot.IsRead);

        fleet.Registered = ["fleet-b", "fleet-c"];
        var heldC = fleet.Hold("fleet-c");
        await refresher.RefreshAsync();

        Assert.Equal(["fleet-b", "fleet-c"], snapshot.Clusters.Select(c => c.ClusterId));
        var c = snapshot.Of("fleet-c")!;
        Assert.Null(c.Answer);
        Assert.True(c.IsStale(DateTimeOffset.UtcNow, Options.StaleAfter));
        Assert.StartsWith("not read yet", ConsoleFormat.Freshness(c, DateTimeOffset.UtcNow), StringComparison.Ordinal);
        heldC.SetResult();
    }

    [Fact]
    public async Task The_fleet_api_serves_a_slow_cluster_from_the_snapshot_and_names_it()
    {
        var fleet = new FakeFleet("fleet-a", "fleet-b");
        var (snapshot, refresher) = Start(fleet);
        await refresher.RefreshAsync();
        var context = Context(snapshot);
        var slow = new TaskCompletionSource<int>();

        var answers = await FleetFanOut.AskAsync(context, ["fleet-a", "fleet-b"],
            id => id == "fleet-b" ? slow.Task : Task.FromResult(7), a => a.Status.Nodes);

        Assert.Equal([7, 1], answers);
        Assert.StartsWith("fleet-b;age=", context.Response.Headers[FleetFanOut.StaleHeader].ToString(), StringComparison.Ordinal);
        slow.SetResult(0);
    }

    [Fact]
    public async Task The_fleet_api_waits_for_a_cluster_the_snapshot_has_not_read()
    {
        var snapshot = new FleetSnapshot();
        var context = Context(snapshot);
        var late = new TaskCompletionSource<int>();

        var asked = FleetFanOut.AskAsync(context, ["fleet-new"], _ => late.Task, a => a.Status.Nodes);
        await Task.Delay(Options.ClusterTimeout * 4);
        Assert.False(asked.IsCompleted);
        late.SetResult(3);

        var answers = await asked;
        Assert.Equal([3], answers);
        Assert.False(context.Response.Headers.ContainsKey(FleetFanOut.StaleHeader));
    }

    [Theory]
    [InlineData(null, 1)]
    [InlineData("", 1)]
    [InlineData("abc", 1)]
    [InlineData("-2", 1)]
    [InlineData("0", 1)]
    [InlineData("3", 3)]
    [InlineData("44", 44)]
    [InlineData("45", 44)]
    [InlineData("99999999999", 1)]
    public void A_requested_page_reads_as_a_page_that_exists(string? requested, int page)
    {
        // 10,868 NodeClaims at 250 a page: 44 pages.
        Assert.Equal(page, Karpenter.Orleans.Silo.Console.Components.Pager.Clamp(requested, 10_868, 250));
    }

    private static (FleetSnapshot Snapshot, FleetSnapshotRefresher Refresher) Start(FakeFleet fleet)
    {
        var snapshot = new FleetSnapshot();
        return (snapshot, new FleetSnapshotRefresher(fleet, snapshot, Microsoft.Extensions.Options.Options.Create(Options), TimeProvider.System,
            NullLogger<FleetSnapshotRefresher>.Instance));
    }

    private static DefaultHttpContext Context(FleetSnapshot snapshot) => new()
    {
        RequestServices = new ServiceCollection()
            .AddSingleton(snapshot)
            .AddSingleton<IOptions<ConsoleOptions>>(Microsoft.Extensions.Options.Options.Create(Options))
            .AddSingleton(TimeProvider.System)
            .BuildServiceProvider(),
    };

    /// <summary>Waits for something another task does (a late answer landing); fails if it never happens.</summary>
    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition(), "the late answer never reached the snapshot");
    }

    /// <summary>A fleet of fake clusters, each answering with its node count unless held back or failing.</summary>
    private sealed class FakeFleet(params string[] clusters) : IFleetReader
    {
        private readonly ConcurrentDictionary<string, TaskCompletionSource> _held = new(StringComparer.Ordinal);

        public string[] Registered { get; set; } = clusters;

        public ConcurrentDictionary<string, int> Nodes { get; } = new(clusters.ToDictionary(c => c, _ => 1), StringComparer.Ordinal);

        public ConcurrentDictionary<string, int> Reads { get; } = new(StringComparer.Ordinal);

        public string? Failure { get; set; }

        public TaskCompletionSource Hold(string cluster) => _held[cluster] = new TaskCompletionSource();

        public Task<IReadOnlyList<RegisteredCluster>> GetClustersAsync() => Task.FromResult<IReadOnlyList<RegisteredCluster>>(
            [.. Registered.Select(id => new RegisteredCluster(new ClusterRegistration(id, "simulated", "us-east-1", "test"), "", DateTimeOffset.UnixEpoch))]);

        public Task<FleetCost> GetCostAsync() => Task.FromResult(new FleetCost(0, 0, null, []));

        public async Task<ClusterAnswer> ReadClusterAsync(string clusterId)
        {
            Reads.AddOrUpdate(clusterId, 1, (_, n) => n + 1);
            if (_held.TryRemove(clusterId, out var held))
            {
                await held.Task;
            }

            if (Failure is { } failure)
            {
                throw new InvalidOperationException(failure);
            }

            var status = new ClusterStatus(clusterId, "simulated", "us-east-1", "test", 0, 0, Nodes.GetValueOrDefault(clusterId), 0, 0, null, null, 0, false);
            return new ClusterAnswer(status, [], []);
        }
    }
}
