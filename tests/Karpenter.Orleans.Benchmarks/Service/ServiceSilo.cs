using System.Net;
using System.Net.Sockets;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.CloudProviders.Simulated;
using Karpenter.Orleans.Grains;
using Karpenter.Orleans.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Karpenter.Orleans.Benchmarks.Service;

/// <summary>
/// One real silo in this process, wired as the embedded service wires it (memory storage, the service's
/// grains, the simulated cloud) but without the HTTP API: the benchmarks call grains through the silo's
/// own <see cref="IGrainFactory"/>, which is how the co-hosted API reaches them too. The cloud boots
/// instances at once and never interrupts them, so only the service's own work is timed.
/// </summary>
public sealed class ServiceSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private ServiceSilo(IHost host, ICloudProvider cloud, CountingLoggerProvider log)
    {
        _host = host;
        Cloud = cloud;
        Log = log;
    }

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    /// <summary>The cloud the grains use (the simulated cloud, or the wrapper given to <see cref="StartAsync"/>).</summary>
    public ICloudProvider Cloud { get; }

    /// <summary>Warnings and errors the silo logged (counted, the first few kept).</summary>
    public CountingLoggerProvider Log { get; }

    /// <summary>
    /// Starts the silo. <paramref name="provisioning"/> entries go under <c>Karpo:Provisioning</c>;
    /// <paramref name="wrapCloud"/> may put a decorator (timing, say) between the grains and the cloud.
    /// </summary>
    public static async Task<ServiceSilo> StartAsync(IReadOnlyDictionary<string, string?> provisioning, Func<SimulatedCloudProvider, ICloudProvider>? wrapCloud = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var settings = provisioning.ToDictionary(p => $"{ProvisioningOptions.Section}:{p.Key}", p => p.Value);
        builder.Configuration.AddInMemoryCollection(settings);

        // Warnings and errors are what a benchmark must notice; everything else is noise on a shared machine.
        var log = new CountingLoggerProvider();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddProvider(log);

        var options = new SimulatedCloudOptions
        {
            CatalogPath = CatalogPath.Resolve(),
            BootDelay = TimeSpan.Zero,
            AutomaticInterruptions = false,
        };
        var simulated = new SimulatedCloudProvider(options, TimeProvider.System);
        var cloud = wrapCloud?.Invoke(simulated) ?? simulated;
        builder.Services.AddSingleton(simulated);
        builder.Services.AddSingleton(cloud);
        builder.Services.AddSingleton<ICloudProviders, CloudProviderRegistry>();
        builder.Services.AddKarpoGrains(builder.Configuration.GetSection(ProvisioningOptions.Section));

        // Free ports rather than Orleans' defaults: other silos may run on this shared machine.
        var siloPort = FreePort();
        var gatewayPort = FreePort();
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: "karpo-bench", clusterId: "karpo-bench");
            silo.AddKarpoStorage(new KarpoStorageOptions { Provider = StorageProvider.Memory });
        });

        var host = builder.Build();
        await host.StartAsync();
        return new ServiceSilo(host, cloud, log);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _host.StopAsync(timeout.Token);
        _host.Dispose();
    }
}
