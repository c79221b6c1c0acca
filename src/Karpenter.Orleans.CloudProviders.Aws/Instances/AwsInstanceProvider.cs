using System.Collections.Concurrent;
using Amazon.EC2;
using Amazon.EC2.Model;
using Karpenter.Orleans.CloudProviders.Aws.InstanceTypes;
using Karpenter.Orleans.CloudProviders.Aws.NodeClasses;
using Karpenter.Orleans.Scheduling.Model;
using Microsoft.Extensions.Logging;

namespace Karpenter.Orleans.CloudProviders.Aws.Instances;

/// <summary>
/// Launches through CreateFleet (type <c>instant</c>, one instance), and looks up, lists and terminates the
/// instances it launched. Every EC2 call runs through one resilience pipeline that backs off on throttling;
/// the SDK itself does not retry. A launch first looks for an instance tagged with its client token, so a
/// launch repeated after a crash returns the instance the first one made.
/// </summary>
public sealed class AwsInstanceProvider
{
    /// <summary>CreateFleet takes at most this many overrides per call (Karpenter's limit too).</summary>
    public const int MaxOverrides = 60;

    private static readonly string[] ListedStates = ["pending", "running", "stopping", "stopped", "shutting-down"];

    private readonly AwsClientFactory _clients;
    private readonly AwsInstanceTypeProvider _instanceTypes;
    private readonly AwsNodeClassResolver _nodeClasses;
    private readonly Ec2Resilience _resilience;
    private readonly TimeProvider _time;
    private readonly TimeSpan _unauthorizedHoldOff;

    // region → the last permission refusal of a launch there, while it holds launches off.
    private readonly ConcurrentDictionary<string, AwsLaunchRefusal> _refusals = new(StringComparer.Ordinal);

    // (region, type) → architecture; instance types do not change architecture.
    private readonly ConcurrentDictionary<(string Region, string Type), string?> _architectures = new();

    // (region, type, zone, capacity type) → the price the provisioner launched at, for instances of this process.
    private readonly ConcurrentDictionary<(string Region, string Type, string Zone, string CapacityType), double> _prices = new();

    public AwsInstanceProvider(AwsClientFactory clients, AwsInstanceTypeProvider instanceTypes, AwsNodeClassResolver nodeClasses, TimeProvider time, AwsLaunchRetryOptions? retry = null, ILogger<AwsInstanceProvider>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentNullException.ThrowIfNull(instanceTypes);
        ArgumentNullException.ThrowIfNull(nodeClasses);
        ArgumentNullException.ThrowIfNull(time);
        _clients = clients;
        _instanceTypes = instanceTypes;
        _nodeClasses = nodeClasses;
        _resilience = Ec2Resilience.Create(time, retry, logger);
        _time = time;
        _unauthorizedHoldOff = (retry ?? new AwsLaunchRetryOptions()).UnauthorizedHoldOff;
    }

    /// <summary>The permission refusal holding launches in <paramref name="region"/> off now, if any.</summary>
    public AwsLaunchRefusal? Refusal(string region) =>
        _refusals.TryGetValue(region, out var refusal) && _time.GetUtcNow() < refusal.Until ? refusal : null;

    public async Task<LaunchResult> LaunchAsync(LaunchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Refusal(request.Region) is { } refusal)
        {
            // No EC2 call: the permission EC2 refused a moment ago is not back by itself.
            throw new CloudProviderException(CloudErrorCode.Unauthorized,
                $"EC2 {refusal.Code} on {refusal.Action} in {refusal.Region} at {refusal.At:O}: {refusal.Message}; launches in {refusal.Region} are not tried again before {refusal.Until:O}");
        }

        try
        {
            return await LaunchOnceAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (CloudProviderException e) when (e.Code == CloudErrorCode.Unauthorized)
        {
            var now = _time.GetUtcNow();
            var code = (e.InnerException as AmazonEC2Exception)?.ErrorCode ?? e.Data["ec2-code"] as string ?? "Unauthorized";
            _refusals[request.Region] = new AwsLaunchRefusal(request.Region, e.Data["ec2-action"] as string ?? "a launch call", code, e.Message, now, now + _unauthorizedHoldOff);
            throw;
        }
    }

    private async Task<LaunchResult> LaunchOnceAsync(LaunchRequest request, CancellationToken cancellationToken)
    {
        if (request.Offerings.Count == 0)
        {
            throw new CloudProviderException(CloudErrorCode.InvalidRequest, $"launch of NodeClaim '{request.NodeClaim}' (cluster '{request.ClusterId}') has no offerings");
        }

        if (string.IsNullOrEmpty(request.ClientToken))
        {
            throw new CloudProviderException(CloudErrorCode.InvalidRequest, $"launch of NodeClaim '{request.NodeClaim}' (cluster '{request.ClusterId}') has no client token");
        }

        var ec2 = _clients.Ec2(request.Region);

        // A launch that already happened (the caller crashed before it recorded the instance) is answered
        // with that instance, whatever its state, so no second instance is made and none is orphaned.
        var earlier = await FindByClientTokenAsync(ec2, request, cancellationToken).ConfigureAwait(false);
        if (earlier is not null)
        {
            return new LaunchResult(earlier, []);
        }

        // One capacity type per launch, the first offering's; the rest keep their preference order.
        var capacityType = request.Offerings[0].CapacityType;
        var offerings = request.Offerings
            .Where(o => o.CapacityType == capacityType)
            .DistinctBy(o => (o.InstanceType, o.Zone))
            .Take(MaxOverrides)
            .ToList();
        foreach (var offering in offerings)
        {
            _prices[(request.Region, offering.InstanceType, offering.Zone, offering.CapacityType)] = offering.PricePerHour;
        }

        var configuration = await Call("launch preparation", () => _nodeClasses.PrepareLaunchAsync(request, cancellationToken), cancellationToken).ConfigureAwait(false);
        var architectures = await ArchitecturesAsync(ec2, request.Region, offerings.Select(o => o.InstanceType), cancellationToken).ConfigureAwait(false);
        var subnetByZone = configuration.Subnets
            .GroupBy(s => s.Zone, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(s => s.AvailableIpAddressCount).First(), StringComparer.Ordinal);

        var failures = new List<OfferingFailure>();
        var configs = new Dictionary<string, FleetLaunchTemplateConfigRequest>(StringComparer.Ordinal);
        for (var i = 0; i < offerings.Count; i++)
        {
            var offering = offerings[i];
            if (!subnetByZone.TryGetValue(offering.Zone, out var subnet))
            {
                failures.Add(new OfferingFailure(offering, CloudErrorCode.InvalidRequest, $"no subnet of the node class in zone {offering.Zone}"));
                continue;
            }

            if (architectures.GetValueOrDefault(offering.InstanceType) is not { } architecture
                || !configuration.LaunchTemplateByArchitecture.TryGetValue(architecture, out var template))
            {
                failures.Add(new OfferingFailure(offering, CloudErrorCode.InvalidRequest, $"no launch template for instance type {offering.InstanceType} (architecture {architectures.GetValueOrDefault(offering.InstanceType) ?? "unknown"})"));
                continue;
            }

            if (!configs.TryGetValue(template, out var config))
            {
                config = new FleetLaunchTemplateConfigRequest
                {
                    LaunchTemplateSpecification = new FleetLaunchTemplateSpecificationRequest { LaunchTemplateName = template, Version = "$Latest" },
                    Overrides = [],
                };
                configs[template] = config;
            }

            config.Overrides.Add(new FleetLaunchTemplateOverridesRequest
            {
                InstanceType = offering.InstanceType,
                SubnetId = subnet.Id,
                AvailabilityZone = offering.Zone,
                Priority = i,
            });
        }

        if (configs.Count == 0)
        {
            return new LaunchResult(null, failures);
        }

        var spot = capacityType == CapacityTypes.Spot;
        var tags = Tags(request, configuration);
        var fleet = await Call("CreateFleet", () => ec2.CreateFleetAsync(new CreateFleetRequest
        {
            Type = FleetType.Instant,
            ClientToken = request.ClientToken,
            TargetCapacitySpecification = new TargetCapacitySpecificationRequest
            {
                TotalTargetCapacity = 1,
                DefaultTargetCapacityType = spot ? DefaultTargetCapacityType.Spot : DefaultTargetCapacityType.OnDemand,
            },
            OnDemandOptions = spot ? null : new OnDemandOptionsRequest { AllocationStrategy = FleetOnDemandAllocationStrategy.LowestPrice },
            SpotOptions = spot ? new SpotOptionsRequest { AllocationStrategy = SpotAllocationStrategy.PriceCapacityOptimized } : null,
            LaunchTemplateConfigs = [.. configs.Values],
            TagSpecifications =
            [
                new TagSpecification { ResourceType = ResourceType.Instance, Tags = tags },
                new TagSpecification { ResourceType = ResourceType.Volume, Tags = tags },
                new TagSpecification { ResourceType = ResourceType.Fleet, Tags = tags },
            ],
        }, cancellationToken), cancellationToken).ConfigureAwait(false);

        var fleetErrors = fleet.Errors ?? [];
        failures.AddRange(FleetFailures(fleetErrors, offerings, capacityType));
        failures = [.. failures.DistinctBy(f => f.Offering).OrderBy(f => offerings.IndexOf(f.Offering))];

        var instanceId = (fleet.Instances ?? []).SelectMany(i => i.InstanceIds ?? []).FirstOrDefault();
        if (instanceId is null)
        {
            // Karpenter: no instance and only capacity errors is "insufficient capacity", for the caller to
            // try other offerings; any other error is the launch's error.
            var other = fleetErrors.FirstOrDefault(e => !Ec2ErrorCodes.IsUnfulfillable(e.ErrorCode));
            if (other is not null)
            {
                throw new CloudProviderException(Ec2ErrorCodes.ToCloudErrorCode(other.ErrorCode), $"CreateFleet for NodeClaim '{request.NodeClaim}': {other.ErrorCode}: {other.ErrorMessage}")
                {
                    Data = { ["ec2-action"] = "CreateFleet", ["ec2-code"] = other.ErrorCode },
                };
            }

            if (fleetErrors.Count == 0)
            {
                throw new CloudProviderException(CloudErrorCode.Internal, $"CreateFleet for NodeClaim '{request.NodeClaim}' returned neither an instance nor an error");
            }

            return new LaunchResult(null, failures);
        }

        var launched = await DescribeAsync(ec2, request.Region, instanceId, cancellationToken).ConfigureAwait(false)
            ?? throw new CloudProviderException(CloudErrorCode.Internal, $"CreateFleet made instance {instanceId} but DescribeInstances does not know it");
        return new LaunchResult(launched, failures);
    }

    public async Task<CloudInstance?> GetAsync(string region, string instanceId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(region);
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        return await DescribeAsync(_clients.Ec2(region), region, instanceId, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<CloudInstance>> ListAsync(string region, string clusterId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(region);
        ArgumentException.ThrowIfNullOrEmpty(clusterId);
        return await DescribeManyAsync(_clients.Ec2(region), region,
        [
            new Filter($"tag:{AwsTags.EksClusterName}", [clusterId]),
            new Filter("tag-key", [AwsTags.NodePool]),
            new Filter("instance-state-name", [.. ListedStates]),
        ], cancellationToken).ConfigureAwait(false);
    }

    public async Task TerminateAsync(string region, string instanceId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(region);
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        var ec2 = _clients.Ec2(region);

        // Like Karpenter: look first, and leave an instance that is already going alone.
        var current = await DescribeAsync(ec2, region, instanceId, cancellationToken).ConfigureAwait(false);
        if (current is null || current.State is CloudInstanceState.ShuttingDown or CloudInstanceState.Terminated)
        {
            return;
        }

        try
        {
            await Call("TerminateInstances", () => ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [instanceId] }, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch (CloudProviderException e) when (e.Code == CloudErrorCode.NotFound)
        {
            // Gone between the look and the call: that is what was asked for.
        }
    }

    private static List<OfferingFailure> FleetFailures(IEnumerable<CreateFleetError> errors, List<LaunchOffering> offerings, string capacityType)
    {
        var failures = new List<OfferingFailure>();
        foreach (var error in errors.Where(e => Ec2ErrorCodes.IsUnfulfillable(e.ErrorCode)))
        {
            var overrides = error.LaunchTemplateAndOverrides?.Overrides;
            var lifecycle = error.Lifecycle?.Value is { Length: > 0 } l ? l : capacityType;
            var matched = offerings.Where(o => o.CapacityType == lifecycle
                && (overrides?.InstanceType?.Value is null || o.InstanceType == overrides.InstanceType.Value)
                && (overrides?.AvailabilityZone is null || o.Zone == overrides.AvailabilityZone));
            foreach (var offering in matched)
            {
                failures.Add(new OfferingFailure(offering, Ec2ErrorCodes.ToCloudErrorCode(error.ErrorCode), $"{error.ErrorCode}: {error.ErrorMessage}"));
            }
        }

        return failures;
    }

    /// <summary>
    /// The launch's tags within EC2's limits, or a clear error before EC2 is called. The provider's own tags
    /// (cluster, ownership, NodePool, NodeClaim, node class, client token) win over the caller's of the same key;
    /// a caller's value longer than 256 characters is split into parts (<see cref="AwsTags.Split"/>, joined again
    /// when read); the instance also carries the node class's tags from its launch template, so they count too.
    /// </summary>
    private static List<Tag> Tags(LaunchRequest request, AwsLaunchConfiguration configuration)
    {
        var own = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [AwsTags.EksClusterName] = request.ClusterId,
            [AwsTags.ClusterOwnership(request.ClusterId)] = "owned",
            [AwsTags.NodePool] = request.NodePool,
            [AwsTags.NodeClaim] = request.NodeClaim,
            [AwsTags.ClientToken] = request.ClientToken,
        };
        if (configuration.NodeClass is { } nodeClass)
        {
            own[AwsTags.NodeClass] = nodeClass;
        }

        foreach (var (key, value) in own)
        {
            if (key.Length > AwsTags.MaxKeyLength || value.Length > AwsTags.MaxValueLength)
            {
                throw new CloudProviderException(CloudErrorCode.InvalidRequest,
                    $"launch of NodeClaim '{request.NodeClaim}' (cluster '{request.ClusterId}', NodePool '{request.NodePool}'): tag '{key}' does not fit EC2's limits (key at most {AwsTags.MaxKeyLength} characters, value at most {AwsTags.MaxValueLength}); the cluster, NodePool or NodeClaim name is too long");
            }
        }

        var tags = own.Select(t => new Tag(t.Key, t.Value)).ToList();
        var split = new List<string>();
        foreach (var (key, value) in request.Tags.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            if (own.ContainsKey(key))
            {
                continue;
            }

            if (key.Length > AwsTags.MaxKeyLength)
            {
                throw new CloudProviderException(CloudErrorCode.InvalidRequest,
                    $"launch of NodeClaim '{request.NodeClaim}' (cluster '{request.ClusterId}'): tag key '{key[..40]}...' has {key.Length} characters, EC2 takes at most {AwsTags.MaxKeyLength}");
            }

            var parts = AwsTags.Split(key, value);
            if (parts.Count > 1)
            {
                split.Add($"'{key}' ({value.Length} characters, {parts.Count} tags)");
            }

            tags.AddRange(parts.Select(p => new Tag(p.Key, p.Value)));
        }

        var fromNodeClass = (configuration.Tags ?? new Dictionary<string, string>()).Keys.Count(k => tags.TrueForAll(t => t.Key != k));
        var count = tags.Count(t => !t.Key.StartsWith("aws:", StringComparison.Ordinal)) + fromNodeClass;
        if (count > AwsTags.MaxTagsPerResource)
        {
            throw new CloudProviderException(CloudErrorCode.InvalidRequest,
                $"launch of NodeClaim '{request.NodeClaim}' (cluster '{request.ClusterId}', NodePool '{request.NodePool}') needs {count} tags on its instance, EC2 allows {AwsTags.MaxTagsPerResource}: "
                + $"{own.Count} of the provider, {request.Tags.Count(t => !own.ContainsKey(t.Key))} of the launch"
                + (split.Count > 0 ? $" ({string.Join(", ", split)})" : "")
                + (fromNodeClass > 0 ? $", {fromNodeClass} of EC2NodeClass '{configuration.NodeClass}'" : ""));
        }

        return tags;
    }

    private async Task<CloudInstance?> FindByClientTokenAsync(IAmazonEC2 ec2, LaunchRequest request, CancellationToken cancellationToken)
    {
        // No state filter: a terminated instance of this token is still the answer to this token.
        var found = await DescribeManyAsync(ec2, request.Region, [new Filter($"tag:{AwsTags.ClientToken}", [request.ClientToken])], cancellationToken).ConfigureAwait(false);
        return found.OrderBy(i => i.LaunchedAt).FirstOrDefault();
    }

    private async Task<Dictionary<string, string?>> ArchitecturesAsync(IAmazonEC2 ec2, string region, IEnumerable<string> types, CancellationToken cancellationToken)
    {
        var wanted = types.Distinct(StringComparer.Ordinal).ToList();
        var missing = wanted.Where(t => !_architectures.ContainsKey((region, t))).ToList();
        if (missing.Count > 0)
        {
            var described = new Dictionary<string, string?>(StringComparer.Ordinal);
            string? next = null;
            do
            {
                var page = await Call("DescribeInstanceTypes", () => ec2.DescribeInstanceTypesAsync(new DescribeInstanceTypesRequest
                {
                    InstanceTypes = missing,
                    NextToken = next,
                }, cancellationToken), cancellationToken).ConfigureAwait(false);
                foreach (var type in page.InstanceTypes ?? [])
                {
                    var supported = type.ProcessorInfo?.SupportedArchitectures?.ToList() ?? [];
                    described[type.InstanceType.Value] = supported.Contains("arm64") ? "arm64" : supported.Contains("x86_64") ? "x86_64" : supported.FirstOrDefault();
                }

                next = page.NextToken;
            }
            while (!string.IsNullOrEmpty(next));

            foreach (var (type, architecture) in described)
            {
                _architectures[(region, type)] = architecture;
            }
        }

        return wanted.ToDictionary(t => t, t => _architectures.GetValueOrDefault((region, t)), StringComparer.Ordinal);
    }

    private async Task<CloudInstance?> DescribeAsync(IAmazonEC2 ec2, string region, string instanceId, CancellationToken cancellationToken)
    {
        try
        {
            var response = await Call("DescribeInstances", () => ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [instanceId] }, cancellationToken), cancellationToken).ConfigureAwait(false);
            var instance = (response.Reservations ?? []).SelectMany(r => r.Instances ?? []).FirstOrDefault(i => i.InstanceId == instanceId);
            return instance is null ? null : await ToCloudInstanceAsync(region, instance, cancellationToken).ConfigureAwait(false);
        }
        catch (CloudProviderException e) when (e.Code is CloudErrorCode.NotFound || (e.InnerException is AmazonEC2Exception inner && Ec2ErrorCodes.IsNotFound(inner.ErrorCode)))
        {
            return null;
        }
    }

    private async Task<IReadOnlyList<CloudInstance>> DescribeManyAsync(IAmazonEC2 ec2, string region, List<Filter> filters, CancellationToken cancellationToken)
    {
        var result = new List<CloudInstance>();
        string? next = null;
        do
        {
            var page = await Call("DescribeInstances", () => ec2.DescribeInstancesAsync(new DescribeInstancesRequest
            {
                Filters = filters,
                MaxResults = 1000,
                NextToken = next,
            }, cancellationToken), cancellationToken).ConfigureAwait(false);
            foreach (var instance in (page.Reservations ?? []).SelectMany(r => r.Instances ?? []))
            {
                result.Add(await ToCloudInstanceAsync(region, instance, cancellationToken).ConfigureAwait(false));
            }

            next = page.NextToken;
        }
        while (!string.IsNullOrEmpty(next));

        return result;
    }

    private async Task<CloudInstance> ToCloudInstanceAsync(string region, Instance instance, CancellationToken cancellationToken)
    {
        // Values split to fit EC2's 256 characters are whole again here: callers never see the parts.
        var tags = AwsTags.Join((instance.Tags ?? []).Where(t => t.Key is not null).Select(t => new KeyValuePair<string, string>(t.Key, t.Value ?? "")));
        var zone = instance.Placement?.AvailabilityZone ?? "";
        var type = instance.InstanceType?.Value ?? "";

        // moto marks fleet spot instances only by their lifecycle, EC2 also by the spot request.
        var capacityType = instance.InstanceLifecycle == InstanceLifecycleType.Spot || !string.IsNullOrEmpty(instance.SpotInstanceRequestId)
            ? CapacityTypes.Spot
            : CapacityTypes.OnDemand;
        return new CloudInstance(
            instance.InstanceId,
            AwsTags.ProviderId(zone, instance.InstanceId),
            region,
            zone,
            type,
            capacityType,
            await PriceAsync(region, type, zone, capacityType, cancellationToken).ConfigureAwait(false),
            State(instance.State?.Name?.Value),
            instance.LaunchTime is { } launched ? new DateTimeOffset(DateTime.SpecifyKind(launched, DateTimeKind.Utc)) : DateTimeOffset.MinValue,
            tags.GetValueOrDefault(AwsTags.EksClusterName, ""),
            tags.GetValueOrDefault(AwsTags.NodeClaim, ""),
            tags.GetValueOrDefault(AwsTags.NodePool, ""),
            tags);
    }

    // EC2 does not say what an instance costs: the price it was launched at (known to this process), else
    // the region's catalog, else 0 when neither knows (the catalog cannot be read).
    private async Task<double> PriceAsync(string region, string type, string zone, string capacityType, CancellationToken cancellationToken)
    {
        if (_prices.TryGetValue((region, type, zone, capacityType), out var price))
        {
            return price;
        }

        try
        {
            var catalog = await _instanceTypes.GetAsync(region, cancellationToken).ConfigureAwait(false);
            var offering = catalog.InstanceTypes.FirstOrDefault(t => t.Name == type)?.Offerings.FirstOrDefault(o => o.Zone == zone && o.CapacityType == capacityType);
            return offering?.Price ?? 0;
        }
        catch (NotSupportedException)
        {
            return 0;
        }
        catch (CloudProviderException)
        {
            return 0;
        }
    }

    private static CloudInstanceState State(string? name) => name switch
    {
        "pending" => CloudInstanceState.Pending,
        "running" => CloudInstanceState.Running,
        "terminated" => CloudInstanceState.Terminated,

        // Stopping and stopped instances serve no pods either; the service treats them as going away.
        _ => CloudInstanceState.ShuttingDown,
    };

    /// <summary>
    /// One EC2 call through the retry pipeline; EC2's refusal becomes a <see cref="CloudProviderException"/>. A
    /// transport failure (the connection dropped, the response lost) is left as it is: EC2 may have acted, so it
    /// is no refusal the caller could act on; the caller keeps its claim and replays the launch, and the client
    /// token's tag finds what EC2 made.
    /// </summary>
    private async Task<T> Call<T>(string action, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await _resilience.ExecuteAsync(action, _ => call(), cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonEC2Exception e)
        {
            // EC2's message names the action and the resource, never the credentials.
            throw new CloudProviderException(Ec2ErrorCodes.ToCloudErrorCode(e.ErrorCode), $"EC2 {e.ErrorCode}: {e.Message}", e) { Data = { ["ec2-action"] = action } };
        }
    }
}
