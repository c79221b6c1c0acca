using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.CloudProviders.Simulated;
using Karpenter.Orleans.Grains;
using Karpenter.Orleans.Grains.Interruption;
using Karpenter.Orleans.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace Karpenter.Orleans.Service.Tests.TestSupport;

/// <summary>
/// Real Orleans silos (TestingHost, in process) running the service's grains against a simulated cloud
/// the test owns. The cloud lives outside the silos, like a real one: it survives silo restarts and is
/// shared by every silo. Grain time is a <see cref="FakeTimeProvider"/> the test moves.
/// </summary>
public sealed class ServiceCluster : IAsyncDisposable
{
    private ServiceCluster(InProcessTestCluster cluster, SimulatedCloudProvider cloud, FakeTimeProvider? clock)
    {
        Cluster = cluster;
        Cloud = cloud;
        _clock = clock;
    }

    private readonly FakeTimeProvider? _clock;

    public InProcessTestCluster Cluster { get; }

    public SimulatedCloudProvider Cloud { get; }

    /// <summary>The grains' and the cloud's clock; throws for a cluster started on real time.</summary>
    public FakeTimeProvider Clock => _clock ?? throw new InvalidOperationException("this cluster runs on real time");

    public IClusterClient Grains => Cluster.Client;

    /// <summary>Starts silos. Pass the same cloud and clock (and ServiceId) to a second cluster to "restart" the service.</summary>
    public static async Task<ServiceCluster> StartAsync(
        SimulatedCloudProvider? cloud = null,
        FakeTimeProvider? clock = null,
        Action<Dictionary<string, string?>>? configure = null,
        KarpoStorageOptions? storage = null,
        string? serviceId = null,
        int silos = 1,
        bool realTime = false,
        Action<IServiceCollection>? services = null)
    {
        if (!realTime)
        {
            clock ??= new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        }

        TimeProvider time = clock is null ? TimeProvider.System : clock;
        cloud ??= NewCloud(time);
        var settings = new Dictionary<string, string?>
        {
            ["Karpo:Provisioning:Timers"] = "false",
            ["Karpo:Provisioning:InterruptionPolling"] = "false",
        };
        configure?.Invoke(settings);
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.Options.ConfigureFileLogging = false;
        if (serviceId is not null)
        {
            builder.Options.ServiceId = serviceId;
        }

        var storageOptions = storage ?? new KarpoStorageOptions { Provider = StorageProvider.Memory };
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Configuration.AddInMemoryCollection(settings);
            services?.Invoke(host.Services);
            AddServices(host.Services, host.Configuration, cloud, time);
        });
        builder.ConfigureSilo((_, silo) => silo.AddKarpoStorage(storageOptions));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new ServiceCluster(cluster, cloud, clock);
    }

    /// <summary>What every test silo runs besides storage: the grains' services, the test's clock and its cloud.</summary>
    public static void AddServices(IServiceCollection services, IConfiguration configuration, SimulatedCloudProvider cloud, TimeProvider time)
    {
        services.AddKarpoGrains(configuration.GetSection(ProvisioningOptions.Section));
        services.AddSingleton(new ServiceClock(time));
        services.AddSingleton(cloud);
        services.AddSingleton<ICloudProvider>(cloud);
        services.AddSingleton<ICloudProviders, CloudProviderRegistry>();
    }

    public static SimulatedCloudProvider NewCloud(TimeProvider clock, Action<SimulatedCloudOptions>? configure = null)
    {
        var options = new SimulatedCloudOptions
        {
            CatalogPath = Path.Combine(AppContext.BaseDirectory, "data", "aws-us-east-1-instance-types.json"),
            BootDelay = TimeSpan.Zero,
            AutomaticInterruptions = false,
        };
        configure?.Invoke(options);
        return new SimulatedCloudProvider(options, clock);
    }

    /// <summary>The interruption poller of the first silo, to deliver the cloud's queue on demand.</summary>
    public InterruptionPoller Poller =>
        Cluster.GetSiloServiceProvider(Cluster.Silos[0].SiloAddress).GetServices<IHostedService>().OfType<InterruptionPoller>().Single();

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}
