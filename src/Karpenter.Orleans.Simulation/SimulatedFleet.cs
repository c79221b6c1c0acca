using System.Security.Cryptography;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.CloudProviders;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.Simulation;

/// <summary>
/// The simulated fleet: one <see cref="SimulatedCluster"/> per configured cluster, registered with the
/// fleet grain and ticked together. A cluster whose grain or cloud call fails is retried with backoff
/// while the others go on, so a silo that is still starting (or a missing provider) never stops the rest.
/// </summary>
public sealed class SimulatedFleet
{
    /// <summary>Service key of an optional <see cref="TimeProvider"/> for the simulation only (see <c>AddSimulatedFleet</c>).</summary>
    public const string TimeProviderKey = "Karpo:SimulatedFleet";

    private readonly SimulatedFleetOptions _options;
    private readonly IGrainFactory _grains;
    private readonly ICloudProviders _clouds;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly List<Slot> _slots;

    public SimulatedFleet(
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
        _logger = loggerFactory.CreateLogger<SimulatedFleet>();
        _time = timeProvider ?? TimeProvider.System;
        var configured = _options.Clusters.Count > 0 ? _options.Clusters : SimulatedFleetOptions.DefaultClusters(_options.Provider);
        _slots = configured
            .Select((c, i) => new Slot(c, ClusterPhase(i, configured.Count), NewAgentToken()))
            .ToList();
        foreach (var slot in _slots)
        {
            TryCreate(slot);
        }
    }

    /// <summary>The configured clusters, in configuration order.</summary>
    public IReadOnlyList<SimulatedClusterOptions> Configured => [.. _slots.Select(s => s.Options)];

    /// <summary>The simulated clusters created so far (one is missing while its cloud provider cannot be found).</summary>
    public IReadOnlyList<SimulatedCluster> Clusters => [.. _slots.Where(s => s.Cluster is not null).Select(s => s.Cluster!)];

    /// <summary>The simulated cluster with this id, if it exists.</summary>
    public SimulatedCluster? Find(string clusterId) => _slots.FirstOrDefault(s => s.Options.ClusterId == clusterId)?.Cluster;

    /// <summary>
    /// Registers every cluster not yet registered with the fleet grain (which forwards each to its
    /// cluster grain). Throws the first failure; clusters registered before it stay registered.
    /// </summary>
    public async Task RegisterAsync(CancellationToken cancellationToken = default)
    {
        foreach (var slot in _slots)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await EnsureRegisteredAsync(slot);
        }
    }

    /// <summary>
    /// Ticks every cluster once, side by side: registers it first if needed, then
    /// <see cref="SimulatedCluster.TickAsync"/>. A failing cluster is logged and skipped until its backoff
    /// (twice the tick interval per consecutive failure, at most 30 s) has passed; this method itself only
    /// throws when cancelled.
    /// </summary>
    public async Task TickAsync(CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        await Task.WhenAll(_slots.Where(s => s.Backoff.RetryAt <= now).Select(s => TickSlotAsync(s, cancellationToken)));
    }

    private async Task TickSlotAsync(Slot slot, CancellationToken cancellationToken)
    {
        try
        {
            await EnsureRegisteredAsync(slot);
            await slot.Cluster!.TickAsync(cancellationToken);
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

    private async Task EnsureRegisteredAsync(Slot slot)
    {
        if (!TryCreate(slot))
        {
            throw new InvalidOperationException(
                $"simulated cluster {slot.Options.ClusterId}: no cloud provider named '{slot.Options.Provider}' (configured: {string.Join(", ", _clouds.Names)})");
        }

        if (slot.Registered)
        {
            return;
        }

        var fleet = _grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey);
        await fleet.RegisterClusterAsync(slot.Cluster!.Registration, Ids.Sha256Hex(slot.AgentToken));
        slot.Registered = true;
        _logger.LogInformation("Simulated cluster {ClusterId} registered ({Provider}, {Region}, account {Account})",
            slot.Options.ClusterId, slot.Options.Provider, slot.Options.Region, slot.Options.Account);
    }

    private bool TryCreate(Slot slot)
    {
        if (slot.Cluster is not null)
        {
            return true;
        }

        ICloudProvider provider;
        try
        {
            provider = _clouds.Get(slot.Options.Provider);
        }
        catch (CloudProviderException ex)
        {
            _logger.LogError(ex, "Simulated cluster {ClusterId} cannot start: {Message}", slot.Options.ClusterId, ex.Message);
            return false;
        }

        var o = slot.Options;
        var registration = new ClusterRegistration(o.ClusterId, o.Provider, o.Region, o.Account, o.SpendCapPerHour, o.DisplayName);
        var settings = new SimulatedClusterSettings
        {
            WorkloadPeriod = _options.WorkloadPeriod,
            Scale = _options.Scale,
            Phase = slot.Phase,
        };
        slot.Cluster = new SimulatedCluster(
            registration,
            _grains.GetGrain<IClusterGrain>(o.ClusterId),
            provider,
            _time,
            settings,
            _loggerFactory.CreateLogger($"{typeof(SimulatedCluster).FullName}.{o.ClusterId}"));
        return true;
    }

    /// <summary>Clusters spread their peaks evenly over the period, so the fleet never peaks all at once.</summary>
    private static double ClusterPhase(int index, int count) => count <= 1 ? 0 : (double)index / count;

    private static string NewAgentToken() => "karpo-sim-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    private sealed class Slot(SimulatedClusterOptions options, double phase, string agentToken)
    {
        public SimulatedClusterOptions Options { get; } = options;

        public double Phase { get; } = phase;

        public string AgentToken { get; } = agentToken;

        public SimulatedCluster? Cluster { get; set; }

        public bool Registered { get; set; }

        public ClusterBackoff Backoff { get; } = new(options.ClusterId);
    }
}
