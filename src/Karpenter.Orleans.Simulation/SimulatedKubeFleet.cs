using System.Security.Cryptography;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Agent;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.Kubernetes.ApiServer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.Simulation;

/// <summary>
/// The simulated fleet on the real path (<see cref="SimulationMode.Kubernetes"/>): every configured cluster gets an
/// in-process <see cref="KubeApiServer"/> on loopback, a <see cref="SimulatedKubeCluster"/> playing its kubelet,
/// scheduler and workload there, and the real agent (<c>AddKarpoAgent</c>, in a host of its own) streaming it to
/// the service over HTTP with the cluster's agent token and carrying out the service's commands in it. Nothing
/// here calls the cluster grains; only the registration goes to the fleet grain, as an admin's would.
/// </summary>
/// <remarks>
/// A cluster starts in steps, each retried with backoff on failure while the other clusters go on: API server,
/// registration (a fresh agent token, as the in-process fleet does on every start), a first tick (the CRDs, the
/// default objects, and a Node for every instance the cloud already runs for the cluster, so after a restart the
/// agent's first snapshot shows the service's nodes and nothing is launched twice), then the agent.
/// </remarks>
public sealed class SimulatedKubeFleet : IAsyncDisposable
{
    private readonly SimulatedFleetOptions _options;
    private readonly IGrainFactory _grains;
    private readonly ICloudProviders _clouds;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly List<Slot> _slots;
    private readonly DirectoryInfo _tokens;
    private Uri? _serviceUrl;
    private int _disposed;

    public SimulatedKubeFleet(
        IOptions<SimulatedFleetOptions> options,
        IGrainFactory grainFactory,
        ICloudProviders cloudProviders,
        ILoggerFactory loggerFactory,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(grainFactory);
        ArgumentNullException.ThrowIfNull(cloudProviders);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _options = options.Value;
        _grains = grainFactory;
        _clouds = cloudProviders;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<SimulatedKubeFleet>();
        _time = timeProvider ?? TimeProvider.System;
        var configured = _options.Clusters.Count > 0 ? _options.Clusters : SimulatedFleetOptions.DefaultClusters(_options.Provider);
        _slots = [.. configured.Select((c, i) => new Slot(c, configured.Count <= 1 ? 0 : (double)i / configured.Count))];

        // The agents read their tokens from files, as from a mounted Secret; a private directory of this process holds them.
        _tokens = Directory.CreateTempSubdirectory("karpo-simulated-agents-");
    }

    /// <summary>The configured clusters, in configuration order.</summary>
    public IReadOnlyList<SimulatedClusterOptions> Configured => [.. _slots.Select(s => s.Options)];

    /// <summary>The simulated clusters whose API server is up.</summary>
    public IReadOnlyList<SimulatedKubeCluster> Clusters => [.. _slots.Where(s => s.Cluster is not null).Select(s => s.Cluster!)];

    /// <summary>The simulated cluster with this id, once its API server is up.</summary>
    public SimulatedKubeCluster? Find(string clusterId) => SlotOf(clusterId)?.Cluster;

    /// <summary>The API server of the cluster with this id, once it is up (kubectl can be pointed at it with <see cref="KubeApiServer.WriteKubeconfig"/>).</summary>
    public KubeApiServer? ApiServer(string clusterId) => SlotOf(clusterId)?.Server;

    /// <summary>Whether the cluster's agent is running.</summary>
    public bool AgentRunning(string clusterId) => SlotOf(clusterId)?.Agent is not null;

    /// <summary>Sets where the agents stream to (the silo's own address, known once it listens); clusters start on the next tick.</summary>
    public void Start(Uri serviceUrl)
    {
        ArgumentNullException.ThrowIfNull(serviceUrl);
        _serviceUrl = serviceUrl;
    }

    /// <summary>
    /// Brings every cluster one step further (see the remarks) or ticks it, side by side. A failing cluster is
    /// logged and left alone until its backoff (twice the tick interval per consecutive failure, at most 30 s)
    /// has passed; this method itself only throws when cancelled, or when <see cref="Start"/> was not called.
    /// </summary>
    public async Task TickAsync(CancellationToken cancellationToken = default)
    {
        var serviceUrl = _serviceUrl ?? throw new InvalidOperationException("SimulatedKubeFleet.Start must name the service's address first");
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        var now = _time.GetUtcNow();
        await Task.WhenAll(_slots.Where(s => s.Backoff.RetryAt <= now).Select(s => TickSlotAsync(s, serviceUrl, cancellationToken)));
    }

    private async Task TickSlotAsync(Slot slot, Uri serviceUrl, CancellationToken cancellationToken)
    {
        try
        {
            await StepAsync(slot, serviceUrl, cancellationToken);
            slot.Backoff.Succeeded(_logger);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            slot.Backoff.Failed(_logger, ex, _options.TickInterval, _time.GetUtcNow());
        }
    }

    private async Task StepAsync(Slot slot, Uri serviceUrl, CancellationToken cancellationToken)
    {
        var o = slot.Options;
        if (slot.Cluster is null)
        {
            var provider = _clouds.Get(o.Provider);
            var apiToken = NewToken("karpo-sim-kube-");
            var serverOptions = new KubeApiServerOptions();
            serverOptions.BearerTokens.Add(apiToken);
            var server = await KubeApiServer.StartAsync(serverOptions, cancellationToken);
            var registration = new ClusterRegistration(o.ClusterId, o.Provider, o.Region, o.Account, o.SpendCapPerHour, o.DisplayName);
            var settings = new SimulatedClusterSettings { WorkloadPeriod = _options.WorkloadPeriod, Scale = _options.Scale, Phase = slot.Phase };
            slot.Server = server;
            slot.Kube = server.CreateClient(apiToken);
            slot.Cluster = new SimulatedKubeCluster(registration, slot.Kube, provider, _time, settings,
                _loggerFactory.CreateLogger($"{typeof(SimulatedKubeCluster).FullName}.{o.ClusterId}"));
            _logger.LogInformation("Simulated cluster {ClusterId}: API server at {ApiServer}", o.ClusterId, server.BaseAddress);
        }

        if (slot.TokenFile is null)
        {
            var token = NewToken("karpo-sim-");
            var file = Path.Combine(_tokens.FullName, o.ClusterId + ".token");
            await File.WriteAllTextAsync(file, token, cancellationToken);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            await _grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey).RegisterClusterAsync(slot.Cluster.Registration, Ids.Sha256Hex(token));
            slot.TokenFile = file;
            _logger.LogInformation("Simulated cluster {ClusterId} registered ({Provider}, {Region}, account {Account})", o.ClusterId, o.Provider, o.Region, o.Account);
        }

        // The first tick comes before the agent, so its first snapshot holds the Nodes of the instances already running.
        await slot.Cluster.TickAsync(cancellationToken);
        if (slot.Agent is null)
        {
            slot.Agent = await StartAgentAsync(slot, serviceUrl, cancellationToken);
            _logger.LogInformation("Simulated cluster {ClusterId}: agent streaming to {ServiceUrl}", o.ClusterId, serviceUrl);
        }
    }

    private async Task<IHost> StartAgentAsync(Slot slot, Uri serviceUrl, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{AgentOptions.Section}:{nameof(AgentOptions.ClusterId)}"] = slot.Options.ClusterId,
            [$"{AgentOptions.Section}:{nameof(AgentOptions.ServiceUrl)}"] = serviceUrl.ToString(),
            [$"{AgentOptions.Section}:{nameof(AgentOptions.TokenFile)}"] = slot.TokenFile,
            // One agent per cluster: nothing to elect.
            [AgentServiceCollectionExtensions.LeaderElectionEnabledKey] = "false",
        });

        // The silo's logging, and no console lifetime: the silo's own host handles signals, then stops the agents.
        builder.Services.AddSingleton(_loggerFactory);
        builder.Services.Replace(ServiceDescriptor.Singleton<IHostLifetime, EmbeddedAgentLifetime>());
        builder.Services.AddSingleton(slot.Kube!);
        builder.Services.AddKarpoAgent(builder.Configuration);
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return host;
    }

    private Slot? SlotOf(string clusterId) => _slots.FirstOrDefault(s => s.Options.ClusterId == clusterId);

    private static string NewToken(string prefix) => prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    /// <summary>Stops the agents, then the API servers, and removes the token files; a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        foreach (var slot in _slots)
        {
            if (slot.Agent is { } agent)
            {
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    await agent.StopAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    // It had its chance; the process is going anyway.
                }

                agent.Dispose();
                slot.Agent = null;
            }

            slot.Kube?.Dispose();
            slot.Kube = null;
            if (slot.Server is { } server)
            {
                await server.DisposeAsync();
                slot.Server = null;
            }
        }

        try
        {
            _tokens.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }

    private sealed class Slot(SimulatedClusterOptions options, double phase)
    {
        public SimulatedClusterOptions Options { get; } = options;

        public double Phase { get; } = phase;

        public KubeApiServer? Server { get; set; }

        public k8s.Kubernetes? Kube { get; set; }

        public SimulatedKubeCluster? Cluster { get; set; }

        public string? TokenFile { get; set; }

        public IHost? Agent { get; set; }

        public ClusterBackoff Backoff { get; } = new(options.ClusterId);
    }
}
