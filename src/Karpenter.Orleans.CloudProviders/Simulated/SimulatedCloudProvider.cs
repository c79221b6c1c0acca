using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Karpenter.Orleans.Scheduling.Model;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.CloudProviders.Simulated;

/// <summary>
/// A cloud that exists only in memory, in the spirit of Karpenter's KWOK provider: regions built from
/// the instance-type catalog, launches that succeed instantly, spot prices and interruptions that follow
/// documented deterministic rules (docs/simulated-cloud.md), and fault injection so tests can make it
/// behave like EC2 on a bad day. All state changes happen under one lock; time comes only from the
/// injected <see cref="TimeProvider"/>, and states (Pending → Running, ShuttingDown → Terminated,
/// interruptions) are worked out from it whenever they are read.
/// </summary>
public sealed class SimulatedCloudProvider : ICloudProvider
{
    /// <summary>The name clusters register with.</summary>
    public const string ProviderName = "simulated";

    // How long a call waits for another process to let go of the state file.
    private static readonly TimeSpan StateLockTimeout = TimeSpan.FromSeconds(30);

    private static readonly JsonSerializerOptions StateJson = new()
    {
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly SimulatedCloudOptions _options;
    private readonly TimeProvider _time;
    private readonly string _catalogPath;
    private readonly IReadOnlyList<string> _regionNames;
    private readonly ConcurrentDictionary<string, Lazy<SimulatedRegion>> _regions = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly Dictionary<string, SimulatedInstanceRecord> _instances = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<CloudInterruption>> _events = new(StringComparer.Ordinal);

    // Instances with a warning or a reclaim still to come; the only ones Advance has to look at.
    private readonly HashSet<string> _interruptible = new(StringComparer.Ordinal);
    private readonly Dictionary<OfferingKey, DateTimeOffset?> _capacityFaults = [];
    private (CloudErrorCode Code, string Message)? _callFault;

    // Faults set with FailCalls: part of the shared state, so a test process can make the cloud that
    // silo processes use fail for a while, as an EC2 outage would hit every silo at once.
    private readonly List<SimulatedCallFault> _sharedFaults = [];
    private long _instancesCreated;
    private long _launchCalls;
    private long _idSequence;

    // Mixed into instance ids: 0 for a cloud in memory (ids the same every run), random for a new state
    // file, so a cloud started over without its file never hands out ids that live claims still hold.
    private long _epoch;

    // Size and write time of the state file as this process last read or wrote it; anything else means
    // another silo process on the same file changed it.
    private (long Length, DateTime WrittenAt)? _stateStamp;

    public SimulatedCloudProvider(SimulatedCloudOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var problems = SimulatedCloudOptionsValidator.Problems(options);
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(SimulatedCloudOptions), problems);
        }

        _options = options;
        _time = timeProvider;
        _catalogPath = SimulatedCatalogFile.Resolve(options.CatalogPath, out _)!;
        _regionNames = options.EffectiveRegions();
        foreach (var region in _regionNames)
        {
            var factor = options.PriceFactor(region);
            _regions[region] = new Lazy<SimulatedRegion>(() => new SimulatedRegion(region, SimulatedCatalogFile.Load(_catalogPath), factor));
        }

        lock (_lock)
        {
            using (SharedState())
            {
                if (_stateStamp is null && _options.StateFile is not null)
                {
                    // A new state file: a fresh epoch, written at once so every process on the file shares it.
                    _epoch = Random.Shared.NextInt64(1, long.MaxValue);
                    Save(_time.GetUtcNow());
                }
            }
        }
    }

    public string Name => ProviderName;

    /// <summary>The regions this cloud has.</summary>
    public IReadOnlyList<string> Regions => _regionNames;

    public Task<IReadOnlyList<string>?> GetRegionsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<string>?>(_regionNames);

    /// <summary>The catalog file the regions are built from.</summary>
    public string CatalogPath => _catalogPath;

    /// <summary>How many times LaunchAsync was called (including calls that failed or were answered from a client token).</summary>
    public long LaunchCallCount
    {
        get
        {
            lock (_lock)
            {
                using var shared = SharedState();
                return _launchCalls;
            }
        }
    }

    /// <summary>How many instances were ever made; a repeated client token does not make one.</summary>
    public long InstancesCreated
    {
        get
        {
            lock (_lock)
            {
                using var shared = SharedState();
                return _instancesCreated;
            }
        }
    }

    /// <summary>
    /// Makes the offering fail launches with InsufficientCapacity until <paramref name="until"/> (for
    /// good when null), like an EC2 pool that has run dry. As with EC2, the instance-type listing does
    /// not reveal it: a caller learns of it only by launching.
    /// </summary>
    public void InjectInsufficientCapacity(string instanceType, string zone, string capacityType, DateTimeOffset? until = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceType);
        ArgumentException.ThrowIfNullOrEmpty(zone);
        ArgumentException.ThrowIfNullOrEmpty(capacityType);
        lock (_lock)
        {
            _capacityFaults[new OfferingKey(instanceType, zone, capacityType)] = until;
        }
    }

    /// <summary>
    /// Makes every call fail with <paramref name="code"/> (Unauthorized for a missing permission,
    /// Throttled for request limits, Internal for an outage) until <see cref="ClearFaults"/>.
    /// </summary>
    public void FailAllCalls(CloudErrorCode code, string? message = null)
    {
        if (code is not (CloudErrorCode.Unauthorized or CloudErrorCode.Throttled or CloudErrorCode.Internal))
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "only Unauthorized, Throttled or Internal can fail every call; inject capacity faults per offering");
        }

        message ??= DefaultMessage(code);
        lock (_lock)
        {
            _callFault = (code, message);
        }
    }

    /// <summary>
    /// Makes the given kinds of call fail with <paramref name="code"/> until <paramref name="until"/> (or
    /// until <see cref="ClearFaults"/> when null). Unlike <see cref="FailAllCalls"/>, the fault is kept with
    /// the cloud's state, so with a <see cref="SimulatedCloudOptions.StateFile"/> every process sharing the
    /// file sees it: the fault suite sets it from the test process to make the silo processes' cloud fail.
    /// </summary>
    public void FailCalls(SimulatedCloudOperations operations, CloudErrorCode code, DateTimeOffset? until = null, string? message = null)
    {
        if (operations == SimulatedCloudOperations.None || (operations & ~SimulatedCloudOperations.All) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(operations), operations, "name one or more of Launch, Terminate, List, Get, ReceiveInterruptions");
        }

        if (code is not (CloudErrorCode.Unauthorized or CloudErrorCode.Throttled or CloudErrorCode.Internal))
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "only Unauthorized, Throttled or Internal can fail calls; inject capacity faults per offering");
        }

        var now = _time.GetUtcNow();
        lock (_lock)
        {
            using var shared = SharedState();
            _sharedFaults.Add(new SimulatedCallFault { Operations = operations, Code = code, Message = message ?? DefaultMessage(code), Until = until });
            Save(now);
        }
    }

    /// <summary>Removes every injected fault (capacity and call failures, including those kept with the shared state).</summary>
    public void ClearFaults()
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            using var shared = SharedState();
            _capacityFaults.Clear();
            _callFault = null;
            if (_sharedFaults.Count > 0)
            {
                _sharedFaults.Clear();
                Save(now);
            }
        }
    }

    /// <summary>
    /// Sends a spot interruption warning for the instance now (reclaimed two minutes later). False when
    /// the instance is unknown, already going or already warned; only spot instances can be interrupted.
    /// </summary>
    public bool Interrupt(string instanceId) =>
        Notify(instanceId, r => r.Warned, spotOnly: "interruption warnings", (record, now) => record.InterruptionAt = now);

    /// <summary>
    /// Sends a rebalance recommendation for the instance now: advice that its spot pool is at elevated
    /// risk, with no deadline. False when the instance is unknown, already going or already warned; only
    /// spot instances get rebalance recommendations.
    /// </summary>
    public bool RecommendRebalance(string instanceId) =>
        Notify(instanceId, r => r.Warned, spotOnly: "rebalance recommendations", (record, now) => record.RebalancesAt.Insert(0, now));

    /// <summary>
    /// Sends a scheduled-change notice for the instance now, as EC2 announces an instance retirement; the
    /// cloud stops the instance <paramref name="lead"/> later (a Stopping event, then Terminated after
    /// ShutdownDelay). Replaces a change the rule had planned. False when the instance is unknown, already
    /// going or already has a change announced; any capacity type can have one.
    /// </summary>
    public bool ScheduleChange(string instanceId, TimeSpan lead)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lead, TimeSpan.Zero);
        return Notify(instanceId, r => r.ScheduledChangeNotified, spotOnly: null, (record, now) =>
        {
            record.ScheduledChangeAt = now;
            record.ScheduledChangeDeadline = now + lead;
        });
    }

    /// <summary>
    /// The manual triggers' one path: false for an unknown instance, one already going or one <paramref name="already"/>
    /// notified; for a spot-only notice (<paramref name="spotOnly"/> names it) any other capacity type throws. The notice is
    /// planned for now and played, then the state is saved.
    /// </summary>
    private bool Notify(string instanceId, Func<SimulatedInstanceRecord, bool> already, string? spotOnly, Action<SimulatedInstanceRecord, DateTimeOffset> plan)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            using var shared = SharedState();
            Advance(now);
            if (!_instances.TryGetValue(instanceId, out var record) || already(record) || record.TerminateRequestedAt is not null)
            {
                return false;
            }

            if (spotOnly is not null && record.CapacityType != CapacityTypes.Spot)
            {
                throw new InvalidOperationException($"instance {instanceId} is {record.CapacityType}; only spot instances get {spotOnly}");
            }

            plan(record, now);
            _interruptible.Add(instanceId);
            Advance(now);
            Save(now);
            return true;
        }
    }

    public Task<InstanceTypeCatalog> GetInstanceTypesAsync(string region, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            ThrowIfCallFault();
        }

        return Task.FromResult(RegionOf(region).Current(now, new HashSet<OfferingKey>()));
    }

    public Task<LaunchResult> LaunchAsync(LaunchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            using var shared = SharedState();
            _launchCalls++;
            ThrowIfCallFault(SimulatedCloudOperations.Launch, _time.GetUtcNow());
        }

        var region = RegionOf(request.Region);
        var candidates = Validate(request, region);
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            using var shared = SharedState();
            Advance(now);
            var tokenKey = TokenKey(request);
            if (tokenKey is not null && _tokens.TryGetValue(tokenKey, out var existing))
            {
                Save(now);
                return Task.FromResult(new LaunchResult(_instances[existing].ToCloudInstance(now), []));
            }

            var failures = new List<OfferingFailure>();
            foreach (var (offering, entry, baseOffering) in candidates)
            {
                if (_capacityFaults.TryGetValue(new OfferingKey(offering.InstanceType, offering.Zone, offering.CapacityType), out var until) && IsActive(until, now))
                {
                    failures.Add(new OfferingFailure(offering, CloudErrorCode.InsufficientCapacity,
                        $"InsufficientInstanceCapacity: there is not enough {offering.CapacityType} {offering.InstanceType} capacity in {offering.Zone} right now"));
                    continue;
                }

                if (_options.VcpuQuota.TryGetValue(offering.CapacityType, out var quota))
                {
                    var used = VcpusInUse(request.Region, request.Account, offering.CapacityType, now);
                    if (used + entry.Vcpus > quota)
                    {
                        failures.Add(new OfferingFailure(offering, CloudErrorCode.QuotaExceeded,
                            $"VcpuLimitExceeded: {offering.InstanceType} needs {entry.Vcpus} vCPUs but account '{request.Account}' has {quota - used} of its {quota} {offering.CapacityType} vCPUs left in {request.Region}"));
                        continue;
                    }
                }

                var record = Create(request, offering, entry, baseOffering, now);
                if (tokenKey is not null)
                {
                    _tokens[tokenKey] = record.Id;
                }

                Save(now);
                return Task.FromResult(new LaunchResult(record.ToCloudInstance(now), failures));
            }

            Save(now);
            return Task.FromResult(new LaunchResult(null, failures));
        }
    }

    public Task<CloudInstance?> GetAsync(string region, string instanceId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            using var shared = SharedState();
            ThrowIfCallFault(SimulatedCloudOperations.Get, now);
            RegionOf(region);
            AdvanceAndSave(now);
            return Task.FromResult(instanceId is not null && _instances.TryGetValue(instanceId, out var record) && record.Region == region
                ? record.ToCloudInstance(now)
                : null);
        }
    }

    public Task<IReadOnlyList<CloudInstance>> ListAsync(string region, string clusterId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            using var shared = SharedState();
            ThrowIfCallFault(SimulatedCloudOperations.List, now);
            RegionOf(region);
            AdvanceAndSave(now);
            IReadOnlyList<CloudInstance> list = [.. _instances.Values
                .Where(r => r.Region == region && r.ClusterId == clusterId && r.StateAt(now) != CloudInstanceState.Terminated)
                .OrderBy(r => r.LaunchedAt)
                .ThenBy(r => r.Id, StringComparer.Ordinal)
                .Select(r => r.ToCloudInstance(now))];
            return Task.FromResult(list);
        }
    }

    public Task TerminateAsync(string region, string instanceId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            using var shared = SharedState();
            ThrowIfCallFault(SimulatedCloudOperations.Terminate, now);
            RegionOf(region);
            var changed = Advance(now);
            if (instanceId is not null && _instances.TryGetValue(instanceId, out var record) && record.Region == region && record.TerminateRequestedAt is null)
            {
                record.TerminateRequestedAt = now;
                record.TerminatedAt = now + _options.ShutdownDelay;
                changed = true;
            }

            if (changed)
            {
                Save(now);
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<CloudInterruption>> ReceiveInterruptionsAsync(string region, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            using var shared = SharedState();
            ThrowIfCallFault(SimulatedCloudOperations.ReceiveInterruptions, now);
            RegionOf(region);
            // Pollers call this every few seconds; the state file is only rewritten when something changed.
            var changed = Advance(now);
            if (!_events.Remove(region, out var pending))
            {
                if (changed)
                {
                    Save(now);
                }

                return Task.FromResult<IReadOnlyList<CloudInterruption>>([]);
            }

            Save(now);
            return Task.FromResult<IReadOnlyList<CloudInterruption>>(pending);
        }
    }

    private static bool IsActive(DateTimeOffset? until, DateTimeOffset now) => until is null || now < until;

    private static string DefaultMessage(CloudErrorCode code) => code switch
    {
        CloudErrorCode.Unauthorized => "UnauthorizedOperation: the simulated account is not allowed to perform this operation",
        CloudErrorCode.Throttled => "RequestLimitExceeded: request limit exceeded for the simulated account",
        _ => "InternalError: the simulated cloud had an internal error",
    };

    private static string? TokenKey(LaunchRequest request) =>
        string.IsNullOrEmpty(request.ClientToken) ? null : $"{request.Region}/{request.Account}/{request.ClientToken}";

    private SimulatedRegion RegionOf(string region) =>
        region is not null && _regions.TryGetValue(region, out var lazy)
            ? lazy.Value
            : throw new CloudProviderException(CloudErrorCode.InvalidRequest,
                $"region '{region}' is not simulated (regions: {string.Join(", ", _regionNames)}); add it to Regions");

    private void ThrowIfCallFault(SimulatedCloudOperations operation = SimulatedCloudOperations.None, DateTimeOffset now = default)
    {
        if (_callFault is { } fault)
        {
            throw new CloudProviderException(fault.Code, fault.Message);
        }

        foreach (var shared in _sharedFaults)
        {
            if ((shared.Operations & operation) != 0 && IsActive(shared.Until, now))
            {
                throw new CloudProviderException(shared.Code, shared.Message);
            }
        }
    }

    /// <summary>Checks every offering the way EC2 rejects a malformed request: the whole call fails, nothing is launched.</summary>
    private static List<(LaunchOffering Offering, SimulatedRegion.Entry Entry, SimulatedRegion.BaseOffering Base)> Validate(LaunchRequest request, SimulatedRegion region)
    {
        if (request.Offerings is null || request.Offerings.Count == 0)
        {
            throw new CloudProviderException(CloudErrorCode.InvalidRequest, "the launch request has no offerings");
        }

        var result = new List<(LaunchOffering, SimulatedRegion.Entry, SimulatedRegion.BaseOffering)>(request.Offerings.Count);
        for (var i = 0; i < request.Offerings.Count; i++)
        {
            var o = request.Offerings[i];
            string Where() => $"offerings[{i}] ({o?.InstanceType} {o?.CapacityType} in {o?.Zone})";
            if (o is null)
            {
                throw new CloudProviderException(CloudErrorCode.InvalidRequest, $"offerings[{i}] is null");
            }

            if (!CapacityTypes.All.Contains(o.CapacityType, StringComparer.Ordinal))
            {
                throw new CloudProviderException(CloudErrorCode.InvalidRequest,
                    $"{Where()}: unknown capacity type '{o.CapacityType}'; expected {string.Join(", ", CapacityTypes.All)}");
            }

            if (o.Zone is null || !region.HasZone(o.Zone))
            {
                throw new CloudProviderException(CloudErrorCode.InvalidRequest,
                    $"{Where()}: zone '{o.Zone}' is not in {region.Name} (zones: {string.Join(", ", region.Zones)})");
            }

            var entry = o.InstanceType is null ? null : region.Find(o.InstanceType);
            if (entry is null)
            {
                throw new CloudProviderException(CloudErrorCode.InvalidRequest, $"{Where()}: unknown instance type '{o.InstanceType}' in {region.Name}");
            }

            var baseOffering = entry.Offering(o.Zone, o.CapacityType)
                ?? throw new CloudProviderException(CloudErrorCode.InvalidRequest,
                    $"{Where()}: {o.InstanceType} is not offered as {o.CapacityType} in {o.Zone}");
            result.Add((o, entry, baseOffering));
        }

        return result;
    }

    private int VcpusInUse(string region, string account, string capacityType, DateTimeOffset now) =>
        _instances.Values
            .Where(r => r.Region == region && r.Account == account && r.CapacityType == capacityType && r.StateAt(now) != CloudInstanceState.Terminated)
            .Sum(r => r.Vcpus);

    private SimulatedInstanceRecord Create(LaunchRequest request, LaunchOffering offering, SimulatedRegion.Entry entry, SimulatedRegion.BaseOffering baseOffering, DateTimeOffset now)
    {
        var id = NextId();
        var runningAt = now + _options.BootDelay;
        var record = new SimulatedInstanceRecord
        {
            Id = id,
            Region = request.Region,
            Account = request.Account ?? string.Empty,
            Zone = offering.Zone,
            InstanceType = offering.InstanceType,
            CapacityType = offering.CapacityType,
            PricePerHour = SimulatedRegion.PriceAt(offering.InstanceType, baseOffering, now),
            Vcpus = entry.Vcpus,
            LaunchedAt = now,
            RunningAt = runningAt,
            ClusterId = request.ClusterId ?? string.Empty,
            NodeClaim = request.NodeClaim ?? string.Empty,
            NodePool = request.NodePool ?? string.Empty,
            ClientToken = request.ClientToken ?? string.Empty,
            Tags = request.Tags is null ? [] : new Dictionary<string, string>(request.Tags, StringComparer.Ordinal),
        };
        if (_options.AutomaticInterruptions)
        {
            PlanEvents(record);
            if (record.HasPendingEvents())
            {
                _interruptible.Add(id);
            }
        }

        _instances[id] = record;
        _instancesCreated++;
        return record;
    }

    /// <summary>Works out, by the documented rules, the events the cloud will send for a new instance.</summary>
    private void PlanEvents(SimulatedInstanceRecord record)
    {
        if (record.CapacityType == CapacityTypes.Spot)
        {
            record.InterruptionAt = SimulatedInterruptionRule.WarningAt(record.Id, record.InstanceType, record.Zone, record.RunningAt);
            if (_options.AutomaticRebalanceRecommendations)
            {
                var falseAlarm = SimulatedInterruptionRule.FalseAlarmAt(record.Id, record.InstanceType, record.Zone, record.RunningAt, record.InterruptionAt);
                var ahead = record.InterruptionAt is { } warningAt ? SimulatedInterruptionRule.RebalanceBefore(record.Id, warningAt, record.RunningAt) : null;
                record.RebalancesAt = [.. new[] { falseAlarm, ahead }.OfType<DateTimeOffset>().Order()];
            }
        }

        if (SimulatedScheduledChangeRule.ChangeAt(record.Id, record.RunningAt, _options.ScheduledChangesPerInstanceDay) is { } change)
        {
            record.ScheduledChangeAt = change.At;
            record.ScheduledChangeDeadline = change.Deadline;
        }
    }

    /// <summary>
    /// "i-0" + 16 hex digits of FNV-1a("seed/sequence", or "seed/epoch/sequence" for a cloud with a state
    /// file): 17 hex digits like EC2's, the same every run of a cloud in memory.
    /// </summary>
    private string NextId()
    {
        while (true)
        {
            _idSequence++;
            var key = _epoch == 0
                ? string.Create(CultureInfo.InvariantCulture, $"{_options.Seed}/{_idSequence}")
                : string.Create(CultureInfo.InvariantCulture, $"{_options.Seed}/{_epoch}/{_idSequence}");
            var id = "i-0" + SimulatedHash.Fnv1a64(key).ToString("x16", CultureInfo.InvariantCulture);
            if (!_instances.ContainsKey(id))
            {
                return id;
            }
        }
    }

    private void AdvanceAndSave(DateTimeOffset now)
    {
        if (Advance(now))
        {
            Save(now);
        }
    }

    /// <summary>
    /// Brings the cloud's own events up to <paramref name="now"/>: queues rebalances, warnings and
    /// scheduled-change notices that are due, reclaims and stops instances whose deadline passed and queues
    /// their Stopping and Terminated events, oldest first. True when anything changed.
    /// </summary>
    private bool Advance(DateTimeOffset now)
    {
        if (_interruptible.Count == 0)
        {
            return false;
        }

        var due = new List<CloudInterruption>();
        var changed = false;
        foreach (var id in _interruptible.ToList())
        {
            var record = _instances[id];
            changed |= AdvanceInstance(record, now, due);
            if (!record.HasPendingEvents())
            {
                _interruptible.Remove(id);
            }
        }

        foreach (var e in due.OrderBy(e => e.At).ThenBy(e => e.Kind).ThenBy(e => e.InstanceId, StringComparer.Ordinal))
        {
            if (!_events.TryGetValue(e.Region, out var queue))
            {
                _events[e.Region] = queue = [];
            }

            queue.Add(e);
        }

        return changed;
    }

    /// <summary>
    /// Plays one instance's due happenings in time order, since an earlier one can cancel a later one (a
    /// reclaim before a scheduled stop, a warning before a rebalance). At the same instant the instance is
    /// taken first, then warned, then given notice, then advised. Owner terminations cancel whatever comes
    /// at or after them and never make an event: the caller already knows.
    /// </summary>
    private bool AdvanceInstance(SimulatedInstanceRecord record, DateTimeOffset now, List<CloudInterruption> due)
    {
        var changed = false;
        while (NextHappening(record) is { } next && next.At <= now)
        {
            changed = true;
            var at = next.At;
            var going = record.TerminateRequestedAt <= at;
            switch (next.Step)
            {
                case Happening.Retire:
                    record.Retired = true;
                    due.Add(new CloudInterruption(record.Id, record.Region, CloudInterruptionKind.Terminated, at, null));
                    break;
                case Happening.Reclaim:
                    record.Reclaimed = true;
                    record.TerminateRequestedAt = at;
                    record.TerminatedAt = at;
                    due.Add(new CloudInterruption(record.Id, record.Region, CloudInterruptionKind.Terminated, at, null));
                    break;
                case Happening.Stop:
                    // EC2 stops a retired EBS-backed instance; this cloud has no Stopped state and never starts
                    // it again, so the stop ends the instance after the usual shutdown.
                    record.Stopped = true;
                    record.TerminateRequestedAt = at;
                    record.TerminatedAt = at + _options.ShutdownDelay;
                    due.Add(new CloudInterruption(record.Id, record.Region, CloudInterruptionKind.Stopping, at, null));
                    break;
                case Happening.Warn:
                    if (going)
                    {
                        // Terminated by its owner (or stopped) before the warning came: nothing to take back.
                        record.InterruptionAt = null;
                        break;
                    }

                    record.Warned = true;
                    due.Add(new CloudInterruption(record.Id, record.Region, CloudInterruptionKind.SpotInterruption, at, at + SimulatedInterruptionRule.Warning));
                    break;
                case Happening.Notice:
                    if (going)
                    {
                        record.ScheduledChangeAt = null;
                        record.ScheduledChangeDeadline = null;
                        break;
                    }

                    record.ScheduledChangeNotified = true;
                    due.Add(new CloudInterruption(record.Id, record.Region, CloudInterruptionKind.ScheduledChange, at, record.ScheduledChangeDeadline));
                    break;
                default:
                    record.RebalancesAt.RemoveAt(0);
                    // Advice is moot once the warning is out or the instance is going.
                    if (!going && !record.Warned)
                    {
                        due.Add(new CloudInterruption(record.Id, record.Region, CloudInterruptionKind.Rebalance, at, null));
                    }

                    break;
            }
        }

        return changed;
    }

    /// <summary>The instance's earliest happening still to play, or null; ties go by <see cref="Happening"/> order.</summary>
    private static (DateTimeOffset At, Happening Step)? NextHappening(SimulatedInstanceRecord r)
    {
        (DateTimeOffset At, Happening Step)? best = null;
        void Consider(DateTimeOffset at, Happening step)
        {
            if (best is not { } b || at < b.At || (at == b.At && step < b.Step))
            {
                best = (at, step);
            }
        }

        if (r.Stopped && !r.Retired && r.TerminatedAt is { } end)
        {
            Consider(end, Happening.Retire);
        }

        if (r.InterruptionAt is { } warnedAt && r.Warned && !r.Reclaimed && !(r.TerminateRequestedAt <= warnedAt + SimulatedInterruptionRule.Warning))
        {
            Consider(warnedAt + SimulatedInterruptionRule.Warning, Happening.Reclaim);
        }

        if (r.ScheduledChangeDeadline is { } deadline && r.ScheduledChangeNotified && !r.Stopped && !(r.TerminateRequestedAt <= deadline))
        {
            Consider(deadline, Happening.Stop);
        }

        // A warning or notice after a termination is still played, to be dropped, so the record says none is coming.
        if (r.InterruptionAt is { } warningAt && !r.Warned)
        {
            Consider(warningAt, Happening.Warn);
        }

        if (r.ScheduledChangeAt is { } noticeAt && !r.ScheduledChangeNotified)
        {
            Consider(noticeAt, Happening.Notice);
        }

        if (r.RebalancesAt.Count > 0)
        {
            Consider(r.RebalancesAt[0], Happening.Rebalance);
        }

        return best;
    }

    /// <summary>What can happen to an instance, in the order happenings at the same instant are played.</summary>
    private enum Happening
    {
        Retire,
        Reclaim,
        Stop,
        Warn,
        Notice,
        Rebalance,
    }

    /// <summary>
    /// Takes the state file's lock (an exclusive lock on "&lt;StateFile&gt;.lock", which the kernel lets go
    /// of when a process dies, even by SIGKILL) and reloads the state when another process changed it, so
    /// several silo processes can share one simulated cloud the way they share one EC2 account. Called
    /// under <see cref="_lock"/>; nothing to do for a cloud kept in memory.
    /// </summary>
    private FileStream? SharedState()
    {
        if (_options.StateFile is not { } path)
        {
            return null;
        }

        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var deadline = Environment.TickCount64 + (long)StateLockTimeout.TotalMilliseconds;
        FileStream fileLock;
        while (true)
        {
            try
            {
                fileLock = new FileStream(full + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                break;
            }
            catch (IOException) when (Environment.TickCount64 < deadline)
            {
                Thread.Sleep(2);
            }
            catch (IOException ex)
            {
                throw new CloudProviderException(CloudErrorCode.Internal,
                    $"StateFile '{path}': another process has held its lock for over {StateLockTimeout.TotalSeconds:0} s: {ex.Message}");
            }
        }

        try
        {
            var file = new FileInfo(full);
            if (file.Exists && (file.Length, file.LastWriteTimeUtc) != _stateStamp)
            {
                Load(full);
                _stateStamp = (file.Length, file.LastWriteTimeUtc);
            }

            return fileLock;
        }
        catch
        {
            fileLock.Dispose();
            throw;
        }
    }

    private void Load(string path)
    {
        SimulatedCloudState? state;
        try
        {
            state = JsonSerializer.Deserialize<SimulatedCloudState>(File.ReadAllBytes(path), StateJson);
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"StateFile '{path}': cannot read the saved simulated cloud state: {ex.Message}", ex);
        }

        if (state is null || state.Version != SimulatedCloudState.CurrentVersion)
        {
            throw new InvalidOperationException(
                $"StateFile '{path}': expected simulated cloud state version {SimulatedCloudState.CurrentVersion}, found {state?.Version.ToString(CultureInfo.InvariantCulture) ?? "nothing"}; delete the file to start empty");
        }

        _instances.Clear();
        _sharedFaults.Clear();
        _sharedFaults.AddRange(state.CallFaults);
        _interruptible.Clear();
        _tokens.Clear();
        _events.Clear();
        foreach (var record in state.Instances)
        {
            _instances[record.Id] = record;
            if (record.HasPendingEvents())
            {
                _interruptible.Add(record.Id);
            }
        }

        foreach (var (token, id) in state.Tokens)
        {
            _tokens[token] = id;
        }

        foreach (var (region, events) in state.PendingEvents)
        {
            _events[region] = [.. events];
        }

        _instancesCreated = state.InstancesCreated;
        _launchCalls = state.LaunchCalls;
        _idSequence = state.IdSequence;
        _epoch = state.Epoch;
    }

    /// <summary>
    /// Writes the state file (when configured) through a temporary file and a rename, so a crash never
    /// leaves half a file. Instances terminated longer ago than <see cref="SimulatedCloudOptions.ForgetTerminatedAfter"/>
    /// are dropped first, as EC2 stops listing them after about an hour; their ids are never handed out again.
    /// </summary>
    private void Save(DateTimeOffset now)
    {
        if (_options.StateFile is not { } path)
        {
            return;
        }

        var forgetBefore = now - _options.ForgetTerminatedAfter;
        foreach (var old in _instances.Values.Where(r => r.TerminatedAt < forgetBefore && !_interruptible.Contains(r.Id)).ToList())
        {
            _instances.Remove(old.Id);
            if (old.ClientToken.Length > 0)
            {
                _tokens.Remove($"{old.Region}/{old.Account}/{old.ClientToken}");
            }
        }

        _sharedFaults.RemoveAll(f => !IsActive(f.Until, now));
        var state = new SimulatedCloudState
        {
            CallFaults = [.. _sharedFaults],
            Epoch = _epoch,
            InstancesCreated = _instancesCreated,
            LaunchCalls = _launchCalls,
            IdSequence = _idSequence,
            Instances = [.. _instances.Values.OrderBy(r => r.LaunchedAt).ThenBy(r => r.Id, StringComparer.Ordinal)],
            Tokens = new Dictionary<string, string>(_tokens, StringComparer.Ordinal),
            PendingEvents = _events.ToDictionary(p => p.Key, p => p.Value.ToList(), StringComparer.Ordinal),
        };
        var full = Path.GetFullPath(path);
        var temp = full + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024))
        {
            // Streamed: the state of a fleet of thousands of instances is megabytes, and written after every change.
            // Serialized to one array it was a large-object-heap array per write plus a pooled buffer as big, which the
            // shared array pool kept per thread: gigabytes of a 10,000-node silo's memory.
            JsonSerializer.Serialize(file, state, StateJson);
        }

        File.Move(temp, full, overwrite: true);
        var written = new FileInfo(full);
        _stateStamp = (written.Length, written.LastWriteTimeUtc);
    }
}
