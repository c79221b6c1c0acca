using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.Simulation;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Karpenter.Orleans.Service.Tests.Simulation;

/// <summary>The fleet registers its clusters through the fleet grain, ticks them, and rides out failures with backoff.</summary>
public sealed class SimulatedFleetTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly TestCloud _cloud;
    private readonly IGrainFactory _factory;
    private readonly FakeGrainFactory _grains;

    public SimulatedFleetTests()
    {
        _cloud = new TestCloud(_time);
        (_factory, _grains) = FakeGrainFactory.Create();
    }

    private static SimulatedFleetOptions FleetOptions(params string[] clusterIds) => new()
    {
        Clusters = [.. clusterIds.Select(id => new SimulatedClusterOptions { ClusterId = id, Region = TestCloud.Region, Provider = "test" })],
    };

    private SimulatedFleet NewFleet(SimulatedFleetOptions options) =>
        new(Options.Create(options), _factory, new CloudProviderRegistry([_cloud]), NullLoggerFactory.Instance, _time);

    [Fact]
    public async Task Each_cluster_is_registered_through_the_fleet_grain_then_sends_its_snapshot()
    {
        var fleet = NewFleet(FleetOptions("alpha", "beta", "gamma"));

        await fleet.TickAsync();
        await fleet.TickAsync();

        var registrations = _grains.Fleet.Registrations;
        Assert.Equal(["alpha", "beta", "gamma"], registrations.Select(r => r.Registration.ClusterId).Order(StringComparer.Ordinal));
        Assert.All(registrations, r =>
        {
            Assert.Equal("test", r.Registration.Provider);
            Assert.Equal("111111111111", r.Registration.Account);
            Assert.Matches("^[0-9a-f]{64}$", r.TokenSha256);
        });
        Assert.Equal(3, registrations.Select(r => r.TokenSha256).Distinct().Count());
        Assert.All(_grains.ClusterGrains.Values, g => Assert.Single(g.Snapshots));
        Assert.Equal(3, fleet.Clusters.Count);
        Assert.NotNull(fleet.Find("beta"));
    }

    [Fact]
    public void Clusters_of_a_fleet_peak_at_different_times()
    {
        var fleet = NewFleet(FleetOptions("alpha", "beta", "gamma"));

        var web = fleet.Clusters.Select(c => c.DesiredReplicas("web")).ToList();

        Assert.True(web.Distinct().Count() > 1, $"replicas {string.Join(",", web)}");
    }

    [Fact]
    public async Task A_failing_registration_is_retried_after_a_backoff_without_throwing()
    {
        var fleet = NewFleet(FleetOptions("alpha"));
        _grains.Fleet.FailuresLeft = 2;

        await fleet.TickAsync();
        Assert.Empty(_grains.Fleet.Registrations);

        // Within the backoff nothing is tried again.
        await fleet.TickAsync();
        Assert.Equal(1, _grains.Fleet.FailuresLeft);

        _time.Advance(TimeSpan.FromSeconds(2));
        await fleet.TickAsync();
        Assert.Equal(0, _grains.Fleet.FailuresLeft);
        Assert.Empty(_grains.Fleet.Registrations);

        _time.Advance(TimeSpan.FromSeconds(4));
        await fleet.TickAsync();
        Assert.Single(_grains.Fleet.Registrations);
        Assert.Single(_grains.ClusterGrains["alpha"].Snapshots);
    }

    [Fact]
    public async Task A_cluster_with_an_unknown_provider_does_not_stop_the_others()
    {
        var options = FleetOptions("alpha");
        options.Clusters.Add(new SimulatedClusterOptions { ClusterId = "lost", Region = "x", Provider = "nowhere" });
        var fleet = NewFleet(options);

        await fleet.TickAsync();

        Assert.Single(fleet.Clusters);
        Assert.Null(fleet.Find("lost"));
        Assert.Single(_grains.ClusterGrains["alpha"].Snapshots);
    }

    [Fact]
    public async Task The_hosted_service_waits_for_the_host_then_ticks_every_interval()
    {
        var options = FleetOptions("alpha");
        options.TickInterval = TimeSpan.FromSeconds(5);
        var fleet = NewFleet(options);
        using var lifetime = new FakeLifetime();
        using var service = new SimulatedFleetService(fleet, Options.Create(options), lifetime,
            NullLogger<SimulatedFleetService>.Instance, _time);
        var timeout = TimeSpan.FromSeconds(30);

        await service.StartAsync(CancellationToken.None);
        Assert.Equal(0, _cloud.ListCalls);

        lifetime.Start();
        Assert.True(await _cloud.Listed.WaitAsync(timeout));

        // The next tick waits for simulated time, not wall-clock time.
        Assert.False(await _cloud.Listed.WaitAsync(TimeSpan.FromMilliseconds(50)));
        _time.Advance(options.TickInterval);
        Assert.True(await _cloud.Listed.WaitAsync(timeout));

        await service.StopAsync(CancellationToken.None);
        Assert.Equal(2, _cloud.ListCalls);
        Assert.Single(_grains.ClusterGrains["alpha"].Snapshots);
    }
}
