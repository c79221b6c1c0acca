using System.Globalization;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Karpenter.Orleans.CloudProviders.Aws.NodeClasses;
using Karpenter.Orleans.CloudProviders.Aws.Pricing;
using Karpenter.Orleans.Scheduling.Model;
using InstanceType = Karpenter.Orleans.Scheduling.Model.InstanceType;

namespace Karpenter.Orleans.CloudProviders.Aws.InstanceTypes;

/// <summary>
/// The region's instance types with allocatable, labels, offerings and prices: DescribeInstanceTypes (hvm,
/// x86_64/arm64), DescribeInstanceTypeOfferings (availability zones), DescribeSpotPriceHistory and the
/// shipped on-demand price table, cached per region and described again every
/// <see cref="AwsProviderOptions.CatalogRefreshInterval"/>. Callers arriving during a refresh share it; a
/// failed refresh keeps the last good catalog.
/// </summary>
public sealed class AwsInstanceTypeProvider
{
    // After a failed refresh with a catalog at hand, try again this soon rather than on every call.
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromMinutes(1);

    private readonly AwsClientFactory _clients;
    private readonly AwsProviderOptions _options;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, RegionCache> _regions = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly Ec2Resilience _resilience;

    /// <param name="clients">The EC2 clients per region.</param>
    /// <param name="options">The provider's options.</param>
    /// <param name="time">The clock of the refresh interval and of the spot prices' StartTime.</param>
    /// <param name="resilience">The pipeline the describe calls run through (throttling backs off); by default one with <see cref="Instances.AwsLaunchRetryOptions"/>' defaults on the system clock.</param>
    public AwsInstanceTypeProvider(AwsClientFactory clients, AwsProviderOptions options, TimeProvider time, Ec2Resilience? resilience = null)
    {
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _clients = clients;
        _options = options;
        _time = time;
        _resilience = resilience ?? new Ec2Resilience(TimeProvider.System);
    }

    /// <summary>The configured regions, else every region the account can use (DescribeRegions).</summary>
    public async Task<IReadOnlyList<string>?> GetRegionsAsync(CancellationToken cancellationToken = default)
    {
        if (_options.Regions.Count > 0)
        {
            return [.. _options.Regions];
        }

        var home = Environment.GetEnvironmentVariable("AWS_REGION") is { Length: > 0 } r ? r : "us-east-1";
        var response = await Call(home, "DescribeRegions", () => _clients.Ec2(home).DescribeRegionsAsync(new DescribeRegionsRequest(), cancellationToken)).ConfigureAwait(false);
        return [.. (response.Regions ?? []).Select(x => x.RegionName).Order(StringComparer.Ordinal)];
    }

    /// <summary>The region's catalog, described again when older than the refresh interval.</summary>
    public Task<InstanceTypeCatalog> GetAsync(string region, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(region);
        Task<InstanceTypeCatalog> refresh;
        lock (_lock)
        {
            if (!_regions.TryGetValue(region, out var cache))
            {
                cache = new RegionCache();
                _regions[region] = cache;
            }

            var now = _time.GetUtcNow();
            if (cache.Catalog is { } current && now < cache.NextRefresh)
            {
                return Task.FromResult(current);
            }

            // One refresh per region at a time, not cancelled by any one caller giving up.
            cache.Refresh ??= RefreshAsync(region, cache);
            refresh = cache.Refresh;
        }

        return refresh.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// EC2's capacity facts of the region's types as of the last refresh (empty before one), from which an
    /// EC2NodeClass's kubelet settings give each type its allocatable.
    /// </summary>
    public IReadOnlyDictionary<string, Ec2CapacityFacts> CapacityFacts(string region)
    {
        lock (_lock)
        {
            return _regions.TryGetValue(region, out var cache) ? cache.Facts : new Dictionary<string, Ec2CapacityFacts>();
        }
    }

    private async Task<InstanceTypeCatalog> RefreshAsync(string region, RegionCache cache)
    {
        await Task.Yield();
        try
        {
            var (catalog, facts) = await DescribeAsync(region).ConfigureAwait(false);
            lock (_lock)
            {
                cache.Catalog = catalog;
                cache.Facts = facts;
                cache.NextRefresh = _time.GetUtcNow() + _options.CatalogRefreshInterval;
                cache.Refresh = null;
            }

            return catalog;
        }
        catch (Exception) when (cache.Catalog is not null)
        {
            lock (_lock)
            {
                cache.NextRefresh = _time.GetUtcNow() + (RetryAfterFailure < _options.CatalogRefreshInterval ? RetryAfterFailure : _options.CatalogRefreshInterval);
                cache.Refresh = null;
                return cache.Catalog!;
            }
        }
        catch
        {
            lock (_lock)
            {
                cache.Refresh = null;
            }

            throw;
        }
    }

    private async Task<(InstanceTypeCatalog Catalog, Dictionary<string, Ec2CapacityFacts> Facts)> DescribeAsync(string region)
    {
        var ec2 = _clients.Ec2(region);
        var onDemand = OnDemandPriceTable.Load(_options.CatalogPath);
        var infos = await DescribeInstanceTypesAsync(region, ec2).ConfigureAwait(false);
        var zonesByType = await DescribeOfferingsAsync(region, ec2).ConfigureAwait(false);
        var spot = await DescribeSpotPricesAsync(region, ec2).ConfigureAwait(false);

        var zones = new SortedSet<string>(StringComparer.Ordinal);
        var types = new List<InstanceType>(infos.Count);
        var allFacts = new Dictionary<string, Ec2CapacityFacts>(StringComparer.Ordinal);
        foreach (var info in infos.OrderBy(i => i.InstanceType.Value, StringComparer.Ordinal))
        {
            var name = info.InstanceType.Value;
            if (!zonesByType.TryGetValue(name, out var typeZones))
            {
                continue;
            }

            decimal? odPrice = onDemand.TryGetValue(name, out var p) ? p : null;
            var usage = info.SupportedUsageClasses ?? [];
            var offerings = new List<Offering>();
            foreach (var zone in typeZones)
            {
                // Karpenter offers a type only at a known price: no on-demand offering without one.
                if (usage.Contains("on-demand") && odPrice is { } od)
                {
                    offerings.Add(new Offering(zone, CapacityTypes.OnDemand, (double)od));
                }

                if (usage.Contains("spot")
                    && SpotPricePolicy.Price(name, zone, spot.TryGetValue((name, zone), out var s) ? s : null, odPrice, spot.Count > 0) is { } spotPrice)
                {
                    offerings.Add(new Offering(zone, CapacityTypes.Spot, spotPrice));
                }
            }

            zones.UnionWith(typeZones);
            var facts = Ec2InstanceTypeFacts.Capacity(info);
            allFacts[name] = facts;
            types.Add(new InstanceType(name, Ec2InstanceTypeFacts.Labels(info), Ec2Allocatable.Capacity(facts), Ec2Allocatable.Allocatable(facts), offerings));
        }

        return (new InstanceTypeCatalog([.. zones], types, region), allFacts);
    }

    private async Task<List<InstanceTypeInfo>> DescribeInstanceTypesAsync(string region, IAmazonEC2 ec2)
    {
        var all = new List<InstanceTypeInfo>();
        string? token = null;
        do
        {
            var request = new DescribeInstanceTypesRequest
            {
                Filters =
                [
                    new Filter("supported-virtualization-type", ["hvm"]),
                    new Filter("processor-info.supported-architecture", ["x86_64", "arm64"]),
                ],
                MaxResults = 100,
                NextToken = token,
            };
            var response = await Call(region, "DescribeInstanceTypes", () => ec2.DescribeInstanceTypesAsync(request)).ConfigureAwait(false);
            all.AddRange(response.InstanceTypes ?? []);
            token = response.NextToken;
        }
        while (!string.IsNullOrEmpty(token));

        return all;
    }

    private async Task<Dictionary<string, SortedSet<string>>> DescribeOfferingsAsync(string region, IAmazonEC2 ec2)
    {
        var zones = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            var request = new DescribeInstanceTypeOfferingsRequest { LocationType = LocationType.AvailabilityZone, MaxResults = 1000, NextToken = token };
            var response = await Call(region, "DescribeInstanceTypeOfferings", () => ec2.DescribeInstanceTypeOfferingsAsync(request)).ConfigureAwait(false);
            foreach (var offering in response.InstanceTypeOfferings ?? [])
            {
                var type = offering.InstanceType.Value;
                if (!zones.TryGetValue(type, out var set))
                {
                    set = new SortedSet<string>(StringComparer.Ordinal);
                    zones[type] = set;
                }

                set.Add(offering.Location);
            }

            token = response.NextToken;
        }
        while (!string.IsNullOrEmpty(token));

        return zones;
    }

    private async Task<Dictionary<(string Type, string Zone), decimal>> DescribeSpotPricesAsync(string region, IAmazonEC2 ec2)
    {
        var latest = new Dictionary<(string, string), (DateTime At, decimal Price)>();
        var now = _time.GetUtcNow().UtcDateTime;
        string? token = null;
        do
        {
            // StartTime now, as Karpenter: EC2 then answers each pool's price in effect now, not its history.
            var request = new DescribeSpotPriceHistoryRequest
            {
                ProductDescriptions = ["Linux/UNIX", "Linux/UNIX (Amazon VPC)"],
                StartTime = now,
                MaxResults = 1000,
                NextToken = token,
            };
            var response = await Call(region, "DescribeSpotPriceHistory", () => ec2.DescribeSpotPriceHistoryAsync(request)).ConfigureAwait(false);
            foreach (var record in response.SpotPriceHistory ?? [])
            {
                if (record.InstanceType?.Value is not { } type || record.AvailabilityZone is not { } zone
                    || !decimal.TryParse(record.Price, NumberStyles.Number, CultureInfo.InvariantCulture, out var price))
                {
                    continue;
                }

                var at = record.Timestamp ?? DateTime.MinValue;
                if (!latest.TryGetValue((type, zone), out var seen) || at >= seen.At)
                {
                    latest[(type, zone)] = (at, price);
                }
            }

            token = response.NextToken;
        }
        while (!string.IsNullOrEmpty(token));

        return latest.ToDictionary(p => p.Key, p => p.Value.Price);
    }

    private async Task<T> Call<T>(string region, string operation, Func<Task<T>> call)
    {
        try
        {
            return await _resilience.ExecuteAsync(operation, _ => call()).ConfigureAwait(false);
        }
        catch (AmazonServiceException ex)
        {
            throw new CloudProviderException(Code(ex.ErrorCode), $"aws {region}: {operation} failed ({ex.ErrorCode ?? ex.StatusCode.ToString()}): {ex.Message}", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new CloudProviderException(CloudErrorCode.Internal, $"aws {region}: {operation} could not reach EC2: {ex.Message}", ex);
        }
    }

    /// <summary>The project's error code for an EC2 error code.</summary>
    internal static CloudErrorCode Code(string? ec2ErrorCode) => ec2ErrorCode switch
    {
        "UnauthorizedOperation" or "AuthFailure" => CloudErrorCode.Unauthorized,
        "RequestLimitExceeded" or "Throttling" => CloudErrorCode.Throttled,
        _ => CloudErrorCode.Internal,
    };

    private sealed class RegionCache
    {
        public InstanceTypeCatalog? Catalog { get; set; }

        public DateTimeOffset NextRefresh { get; set; }

        public Task<InstanceTypeCatalog>? Refresh { get; set; }

        public IReadOnlyDictionary<string, Ec2CapacityFacts> Facts { get; set; } = new Dictionary<string, Ec2CapacityFacts>();
    }
}
