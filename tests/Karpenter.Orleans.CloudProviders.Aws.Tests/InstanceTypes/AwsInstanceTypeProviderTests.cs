using System.Net;
using Amazon.EC2;
using Amazon.EC2.Model;
using Karpenter.Orleans.CloudProviders.Aws.InstanceTypes;
using Karpenter.Orleans.CloudProviders.Aws.NodeClasses;
using Karpenter.Orleans.CloudProviders.Simulated;
using Karpenter.Orleans.Scheduling.Manifests;
using Karpenter.Orleans.Scheduling.Model;
using Microsoft.Extensions.Time.Testing;
using InstanceType = Karpenter.Orleans.Scheduling.Model.InstanceType;

namespace Karpenter.Orleans.CloudProviders.Aws.Tests.InstanceTypes;

/// <summary>The region's catalog from EC2 (moto): zones, prices, labels, caching and failures.</summary>
[Collection(MotoCollection.Name)]
public sealed class AwsInstanceTypeProviderTests(MotoServer moto) : IAsyncLifetime, IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly Ec2FaultHandler _handler = new();
    private AwsClientFactory? _clients;

    // The launch harness's backoff (milliseconds) on the real clock: the catalog's clock is a fake one.
    private Ec2Resilience Resilience { get; } = new(TimeProvider.System, AwsLaunchHarness.Retry);

    public Task InitializeAsync() => moto.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _clients?.Dispose();

    private AwsInstanceTypeProvider Provider(AwsProviderOptions? options = null)
    {
        var o = options ?? moto.Options();
        _clients = new AwsClientFactory(o, MotoServer.Credentials, _handler.Handler);
        return new AwsInstanceTypeProvider(_clients, o, _time, Resilience);
    }

    private static Dictionary<string, InstanceType> Published()
    {
        var path = SimulatedCatalogFile.Resolve(null, out var problem) ?? throw new InvalidOperationException(problem);
        return CatalogLoader.Load(path).InstanceTypes.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    [Fact]
    public async Task Offerings_are_only_in_the_zones_EC2_offers_the_type_in()
    {
        var provider = Provider();
        var catalog = await provider.GetAsync("us-east-1");
        using var clients = new AwsClientFactory(moto.Options(), MotoServer.Credentials);
        var offered = (await clients.Ec2("us-east-1").DescribeInstanceTypeOfferingsAsync(new DescribeInstanceTypeOfferingsRequest { LocationType = LocationType.AvailabilityZone }))
            .InstanceTypeOfferings.ToLookup(o => o.InstanceType.Value, o => o.Location);

        Assert.True(catalog.InstanceTypes.Count > 1000, $"{catalog.InstanceTypes.Count} types");
        Assert.Equal("us-east-1", catalog.Region);
        foreach (var type in catalog.InstanceTypes)
        {
            var zones = offered[type.Name].ToHashSet(StringComparer.Ordinal);
            Assert.All(type.Offerings, o => Assert.Contains(o.Zone, zones));
            Assert.All(type.Offerings, o => Assert.Contains(o.Zone, catalog.Zones));
        }

        var m5 = catalog.InstanceTypes.Single(t => t.Name == "m5.large");
        Assert.Equal(["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1f"], m5.Offerings.Select(o => o.Zone).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task On_demand_prices_come_from_the_table_and_moto_spot_prices_are_replaced_by_the_catalog_rule()
    {
        var catalog = await Provider().GetAsync("us-east-1");
        var published = Published();

        var m5 = catalog.InstanceTypes.Single(t => t.Name == "m5.large");
        Assert.All(m5.Offerings.Where(o => o.CapacityType == CapacityTypes.OnDemand), o => Assert.Equal(0.096, o.Price));
        var spot = m5.Offerings.Where(o => o.CapacityType == CapacityTypes.Spot).ToList();
        Assert.NotEmpty(spot);
        Assert.All(spot, o => Assert.Equal(SpotPriceRule.Price("m5.large", o.Zone, 0.096m), o.Price));

        // Every priced offering carries the table's price; a type the table has no price for has no on-demand offering.
        foreach (var type in catalog.InstanceTypes)
        {
            var onDemand = type.Offerings.Where(o => o.CapacityType == CapacityTypes.OnDemand).ToList();
            if (published.TryGetValue(type.Name, out var known))
            {
                var price = known.Offerings.First(o => o.CapacityType == CapacityTypes.OnDemand).Price;
                Assert.All(onDemand, o => Assert.Equal(price, o.Price));
            }
            else
            {
                Assert.Empty(onDemand);
            }
        }

        Assert.Contains(catalog.InstanceTypes, t => !published.ContainsKey(t.Name));
    }

    [Fact]
    public async Task Spot_prices_are_asked_from_now_and_each_pools_latest_record_wins()
    {
        var now = _time.GetUtcNow();
        _handler.SpotPrices =
        [
            new SpotPriceRecord("m5.large", "us-east-1a", "0.040000", now.AddHours(-1)),
            new SpotPriceRecord("m5.large", "us-east-1a", "0.050000", now.AddHours(-3)),
            new SpotPriceRecord("m5.large", "us-east-1b", "0.031000", now.AddHours(-5), "Linux/UNIX (Amazon VPC)"),
            new SpotPriceRecord("m5.large", "us-east-1b", "0.035000", now.AddHours(-2), "Linux/UNIX (Amazon VPC)"),
            new SpotPriceRecord("c5.large", "us-east-1a", "0.00001", now.AddMinutes(-10)),
        ];

        var catalog = await Provider().GetAsync("us-east-1");

        var request = Assert.Single(_handler.Requests("DescribeSpotPriceHistory"));
        var startTime = DateTimeOffset.Parse(request.Single(p => p.Key == "StartTime").Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(now, startTime);
        Assert.Equal(["Linux/UNIX", "Linux/UNIX (Amazon VPC)"], request.Where(p => p.Key.StartsWith("ProductDescription.", StringComparison.Ordinal)).Select(p => p.Value));

        var m5 = catalog.InstanceTypes.Single(t => t.Name == "m5.large");
        var spot = m5.Offerings.Where(o => o.CapacityType == CapacityTypes.Spot).ToDictionary(o => o.Zone, o => o.Price);
        Assert.Equal(new Dictionary<string, double> { ["us-east-1a"] = 0.04, ["us-east-1b"] = 0.035 }, spot);
        // The pools without a record have no spot offering; on-demand is offered in every zone EC2 offers the type in.
        Assert.Equal(5, m5.Offerings.Count(o => o.CapacityType == CapacityTypes.OnDemand));
        // An implausible record still says the pool exists; its price comes from the catalog rule.
        var c5 = catalog.InstanceTypes.Single(t => t.Name == "c5.large").Offerings.Single(o => o.CapacityType == CapacityTypes.Spot);
        Assert.Equal(("us-east-1a", SpotPriceRule.Price("c5.large", "us-east-1a", 0.085m)), (c5.Zone, c5.Price));
        Assert.All(catalog.InstanceTypes.Where(t => t.Name is not ("m5.large" or "c5.large")), t => Assert.DoesNotContain(t.Offerings, o => o.CapacityType == CapacityTypes.Spot));
    }

    [Fact]
    public async Task Spot_prices_change_with_the_next_refresh()
    {
        var options = moto.Options();
        options.CatalogRefreshInterval = TimeSpan.FromHours(12);
        var provider = Provider(options);
        _handler.SpotPrices = [new SpotPriceRecord("m5.large", "us-east-1a", "0.040000", _time.GetUtcNow().AddHours(-1))];
        var before = await provider.GetAsync("us-east-1");

        _time.Advance(TimeSpan.FromHours(12));
        _handler.SpotPrices = [new SpotPriceRecord("m5.large", "us-east-1a", "0.061000", _time.GetUtcNow().AddMinutes(-5))];
        var after = await provider.GetAsync("us-east-1");

        double Spot(InstanceTypeCatalog c) => c.InstanceTypes.Single(t => t.Name == "m5.large").Offerings.Single(o => o.CapacityType == CapacityTypes.Spot).Price;
        Assert.Equal(0.04, Spot(before));
        Assert.Equal(0.061, Spot(after));
        Assert.Equal(_time.GetUtcNow(), DateTimeOffset.Parse(_handler.Requests("DescribeSpotPriceHistory")[^1].Single(p => p.Key == "StartTime").Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task An_edited_on_demand_price_table_is_read_again_at_the_next_refresh()
    {
        var source = SimulatedCatalogFile.Resolve(null, out var problem) ?? throw new InvalidOperationException(problem);
        var path = Path.Combine(Path.GetTempPath(), $"karpo-prices-{Guid.NewGuid():n}.json");
        File.Copy(source, path);
        try
        {
            var options = moto.Options();
            options.CatalogPath = path;
            options.CatalogRefreshInterval = TimeSpan.FromHours(12);
            var provider = Provider(options);
            var before = await provider.GetAsync("us-east-1");

            var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
            var m5 = json["instanceTypes"]!.AsArray().Single(t => t!["name"]!.GetValue<string>() == "m5.large")!;
            m5["onDemandPricePerHour"] = 0.2;
            File.WriteAllText(path, json.ToJsonString());
            // The table's parse is shared while the file's name, length and time are unchanged; this edit changes its time.
            File.SetLastWriteTimeUtc(path, File.GetLastWriteTimeUtc(source).AddMinutes(1));
            var cached = await provider.GetAsync("us-east-1");
            _time.Advance(TimeSpan.FromHours(12));
            var after = await provider.GetAsync("us-east-1");

            double OnDemand(InstanceTypeCatalog c) => c.InstanceTypes.Single(t => t.Name == "m5.large").Offerings.First(o => o.CapacityType == CapacityTypes.OnDemand).Price;
            Assert.Equal(0.096, OnDemand(before));
            Assert.Equal(0.096, OnDemand(cached));
            Assert.Equal(0.2, OnDemand(after));
            // moto's spot prices are implausible, so spot follows the new on-demand price through the catalog rule.
            var spot = after.InstanceTypes.Single(t => t.Name == "m5.large").Offerings.First(o => o.CapacityType == CapacityTypes.Spot);
            Assert.Equal(SpotPriceRule.Price("m5.large", spot.Zone, 0.2m), spot.Price);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Types_carry_Karpenters_labels_and_resources_as_the_catalog_publishes_them()
    {
        var catalog = await Provider().GetAsync("us-east-1");
        var published = Published();

        foreach (var name in new[] { "m5.large", "m6g.large", "g5.xlarge", "inf2.xlarge", "p4d.24xlarge" })
        {
            var type = catalog.InstanceTypes.Single(t => t.Name == name);
            var expected = published[name];
            var differing = type.Labels.Where(l => expected.Labels.TryGetValue(l.Key, out var v) && v != l.Value).Select(l => $"{l.Key}={l.Value} (catalog {expected.Labels[l.Key]})");
            Assert.Empty(differing);
            Assert.Equal(expected.Allocatable.Get(Ec2Allocatable.NvidiaGpu), type.Allocatable.Get(Ec2Allocatable.NvidiaGpu));
            Assert.Equal(expected.Allocatable.Get(Ec2Allocatable.Neuron), type.Allocatable.Get(Ec2Allocatable.Neuron));
        }

        var m6g = catalog.InstanceTypes.Single(t => t.Name == "m6g.large");
        Assert.Equal("arm64", m6g.Labels[WellKnownLabels.Arch]);
        Assert.Equal("linux", m6g.Labels[WellKnownLabels.Os]);
        Assert.Equal("m", m6g.Labels["karpenter.k8s.aws/instance-category"]);
        Assert.Equal("6", m6g.Labels["karpenter.k8s.aws/instance-generation"]);
        Assert.Equal("8192", m6g.Labels["karpenter.k8s.aws/instance-memory"]);
        Assert.Equal("1", catalog.InstanceTypes.Single(t => t.Name == "g5.xlarge").Labels["karpenter.k8s.aws/instance-gpu-count"]);
    }

    [Fact]
    public async Task The_catalog_is_cached_until_the_refresh_interval_passes()
    {
        var options = moto.Options();
        options.CatalogRefreshInterval = TimeSpan.FromHours(12);
        var provider = Provider(options);

        var first = await provider.GetAsync("us-east-1");
        _time.Advance(TimeSpan.FromHours(11));
        var cached = await provider.GetAsync("us-east-1");
        _time.Advance(TimeSpan.FromHours(1));
        var refreshed = await provider.GetAsync("us-east-1");

        Assert.Same(first, cached);
        Assert.NotSame(first, refreshed);
        Assert.Equal(2, _handler.Calls("DescribeInstanceTypes"));
        Assert.Equal(2, _handler.Calls("DescribeSpotPriceHistory"));
    }

    [Fact]
    public async Task Concurrent_callers_share_one_refresh()
    {
        var provider = Provider();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _handler.Gate = gate;

        var callers = Enumerable.Range(0, 8).Select(_ => provider.GetAsync("us-east-1")).ToList();
        gate.SetResult();
        var catalogs = await Task.WhenAll(callers);

        Assert.Equal(1, _handler.Calls("DescribeInstanceTypes"));
        Assert.All(catalogs, c => Assert.Same(catalogs[0], c));
    }

    [Fact]
    public async Task A_failed_refresh_keeps_the_last_good_catalog()
    {
        var provider = Provider();
        var good = await provider.GetAsync("us-east-1");

        _handler.FailWith = ("RequestLimitExceeded", HttpStatusCode.ServiceUnavailable);
        _time.Advance(TimeSpan.FromHours(13));
        var during = await provider.GetAsync("us-east-1");
        _handler.FailWith = null;
        _time.Advance(TimeSpan.FromHours(13));
        var after = await provider.GetAsync("us-east-1");

        Assert.Same(good, during);
        Assert.NotSame(good, after);
        Assert.Equal(good.InstanceTypes.Count, after.InstanceTypes.Count);
    }

    [Fact]
    public async Task A_throttled_describe_backs_off_and_then_succeeds()
    {
        var provider = Provider();
        _handler.Fail("DescribeInstanceTypes", "RequestLimitExceeded", HttpStatusCode.ServiceUnavailable, times: 2);
        _handler.Fail("DescribeSpotPriceHistory", "Throttling", HttpStatusCode.BadRequest, times: 1);

        var catalog = await provider.GetAsync("us-east-1");

        Assert.True(catalog.InstanceTypes.Count > 1000, $"{catalog.InstanceTypes.Count} types");
        Assert.Equal(3, _handler.Calls("DescribeInstanceTypes"));
        Assert.Equal(2, _handler.Calls("DescribeSpotPriceHistory"));
    }

    [Fact]
    public async Task Throttling_past_the_retries_fails_as_throttled_after_one_call_and_its_retries()
    {
        var provider = Provider();
        _handler.Fail("DescribeInstanceTypes", "RequestLimitExceeded", HttpStatusCode.ServiceUnavailable, times: 100);

        var error = await Assert.ThrowsAsync<CloudProviderException>(() => provider.GetAsync("us-east-1"));

        Assert.Equal(CloudErrorCode.Throttled, error.Code);
        Assert.Equal(1 + AwsLaunchHarness.Retry.MaxRetryAttempts, _handler.Calls("DescribeInstanceTypes"));
    }

    [Fact]
    public async Task An_unauthorized_describe_is_asked_once_not_retried()
    {
        var provider = Provider();
        _handler.Fail("DescribeInstanceTypes", "UnauthorizedOperation", HttpStatusCode.Forbidden, times: 100);

        var error = await Assert.ThrowsAsync<CloudProviderException>(() => provider.GetAsync("us-east-1"));

        Assert.Equal(CloudErrorCode.Unauthorized, error.Code);
        Assert.Equal(1, _handler.Calls("DescribeInstanceTypes"));
    }

    [Theory]
    [InlineData("UnauthorizedOperation", HttpStatusCode.Forbidden, CloudErrorCode.Unauthorized)]
    [InlineData("AuthFailure", HttpStatusCode.Unauthorized, CloudErrorCode.Unauthorized)]
    [InlineData("RequestLimitExceeded", HttpStatusCode.ServiceUnavailable, CloudErrorCode.Throttled)]
    [InlineData("InternalError", HttpStatusCode.InternalServerError, CloudErrorCode.Internal)]
    public async Task Without_a_catalog_a_failure_is_a_cloud_error_naming_the_call(string ec2Code, HttpStatusCode status, CloudErrorCode expected)
    {
        var provider = Provider();
        _handler.FailWith = (ec2Code, status);

        var error = await Assert.ThrowsAsync<CloudProviderException>(() => provider.GetAsync("us-east-1"));

        Assert.Equal(expected, error.Code);
        Assert.Contains("us-east-1", error.Message, StringComparison.Ordinal);
        Assert.Contains(ec2Code, error.Message, StringComparison.Ordinal);

        // The failure is not cached: once EC2 answers, the catalog is there.
        _handler.FailWith = null;
        Assert.NotEmpty((await provider.GetAsync("us-east-1")).InstanceTypes);
    }

    [Fact]
    public async Task Regions_are_the_configured_ones_else_EC2s()
    {
        var two = moto.Options("us-east-1", "eu-west-1");
        var any = moto.Options();
        any.Regions.Clear();
        using var clients = new AwsClientFactory(any, MotoServer.Credentials);

        var configured = await new AwsInstanceTypeProvider(clients, two, _time).GetRegionsAsync();
        var described = await new AwsInstanceTypeProvider(clients, any, _time).GetRegionsAsync();

        Assert.Equal(["us-east-1", "eu-west-1"], configured!);
        Assert.Contains("us-east-1", described!);
        Assert.Contains("eu-west-1", described!);
    }
}
