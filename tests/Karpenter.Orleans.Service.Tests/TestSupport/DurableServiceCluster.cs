using System.Collections.Concurrent;
using Karpenter.Orleans.CloudProviders.Simulated;
using Karpenter.Orleans.Service.Tests.Storage;
using Karpenter.Orleans.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace Karpenter.Orleans.Service.Tests.TestSupport;

/// <summary>
/// The service on durable storage (SQLite or PostgreSQL, through the real ADO.NET providers) in a classic
/// <see cref="TestCluster"/>, whose options can hand membership to PostgreSQL. The cloud and the clock
/// belong to a <see cref="World"/> that outlives silos, so a test can stop or kill silos and start new
/// ones that find the same instances.
/// </summary>
public sealed class DurableServiceCluster : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<string, World> Worlds = new(StringComparer.Ordinal);

    private DurableServiceCluster(TestCluster cluster) => Cluster = cluster;

    public TestCluster Cluster { get; }

    public IClusterClient Grains => Cluster.Client;

    /// <summary>The outside world: one cloud and one clock shared by every silo of a test.</summary>
    public sealed class World
    {
        public World()
        {
            Clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
            Cloud = ServiceCluster.NewCloud(Clock);
            Worlds[Id] = this;
        }

        public string Id { get; } = Guid.NewGuid().ToString("N");

        public FakeTimeProvider Clock { get; }

        /// <summary>The cloud; a test may replace it between two starts (a cloud that forgot everything).</summary>
        public SimulatedCloudProvider Cloud { get; set; }
    }

    public static async Task<DurableServiceCluster> StartAsync(World world, KarpoStorageOptions storage, string serviceId, string clusterId, short silos = 1,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["Karpo:Provisioning:Timers"] = "false",
            ["Karpo:Provisioning:InterruptionPolling"] = "false",
            ["Karpo:Provisioning:OrphanGracePeriod"] = "00:00:00",
            ["Test:World"] = world.Id,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        var builder = StorageTestClusters.Builder(storage, serviceId, clusterId, silos, configuration);
        builder.AddSiloBuilderConfigurator<WorldSiloConfigurator>();
        return new DurableServiceCluster(await StorageTestClusters.DeployAsync(builder));
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    private sealed class WorldSiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var world = Worlds[siloBuilder.Configuration["Test:World"]!];
            siloBuilder.AddKarpoStorage(StorageTestClusters.Read(siloBuilder.Configuration));
            // Declare a killed silo dead within seconds rather than the production half-minute.
            siloBuilder.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 1;
                o.NumVotesForDeathDeclaration = 1;
            });
            ServiceCluster.AddServices(siloBuilder.Services, siloBuilder.Configuration, world.Cloud, world.Clock);
        }
    }
}
