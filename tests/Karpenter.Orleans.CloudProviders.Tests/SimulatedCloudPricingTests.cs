using Karpenter.Orleans.CloudProviders.Simulated;
using Karpenter.Orleans.Scheduling.Manifests;
using Karpenter.Orleans.Scheduling.Model;
using static Karpenter.Orleans.CloudProviders.Tests.SimulatedClouds;

namespace Karpenter.Orleans.CloudProviders.Tests;

/// <summary>Regional catalogs and the spot price rule of docs/simulated-cloud.md.</summary>
public sealed class SimulatedCloudPricingTests
{
    [Fact]
    public async Task Each_region_has_three_zones_and_the_whole_catalog()
    {
        var cloud = Create(Clock());
        var source = CatalogLoader.Load(cloud.CatalogPath);

        foreach (var region in new[] { "us-east-1", "us-west-2", "eu-west-1" })
        {
            var catalog = await cloud.GetInstanceTypesAsync(region);
            Assert.Equal(region, catalog.Region);
            Assert.Equal([region + "a", region + "b", region + "c"], catalog.Zones);
            Assert.Equal(source.InstanceTypes.Select(t => t.Name), catalog.InstanceTypes.Select(t => t.Name));
            Assert.All(catalog.InstanceTypes.SelectMany(t => t.Offerings), o => Assert.Contains(o.Zone, catalog.Zones));
        }
    }

    [Theory]
    [InlineData("us-east-1", 0.096)]
    [InlineData("us-west-2", 0.10368)]
    [InlineData("eu-west-1", 0.10752)]
    public async Task On_demand_prices_are_the_catalog_price_times_the_region_factor(string region, double expected)
    {
        var clock = Clock();
        var cloud = Create(clock);

        var m5 = (await cloud.GetInstanceTypesAsync(region)).InstanceTypes.Single(t => t.Name == "m5.large");
        clock.Advance(TimeSpan.FromDays(3));
        var later = (await cloud.GetInstanceTypesAsync(region)).InstanceTypes.Single(t => t.Name == "m5.large");

        var onDemand = m5.Offerings.Where(o => o.CapacityType == CapacityTypes.OnDemand).ToList();
        Assert.Equal(3, onDemand.Count);
        Assert.All(onDemand, o => Assert.Equal(expected, o.Price, 9));
        Assert.Equal(onDemand, later.Offerings.Where(o => o.CapacityType == CapacityTypes.OnDemand));
    }

    [Fact]
    public async Task A_configured_price_factor_replaces_the_default()
    {
        var cloud = Create(Clock(), o => o.RegionPriceFactors["us-west-2"] = 2.0);

        var m5 = (await cloud.GetInstanceTypesAsync("us-west-2")).InstanceTypes.Single(t => t.Name == "m5.large");

        Assert.Equal(0.192, m5.Offerings.First(o => o.CapacityType == CapacityTypes.OnDemand).Price, 9);
    }

    [Fact]
    public async Task Spot_prices_stay_within_fifteen_percent_of_the_catalog_and_follow_the_hourly_rule()
    {
        var clock = Clock();
        var cloud = Create(clock);
        var source = CatalogLoader.Load(cloud.CatalogPath);
        var baseSpot = source.InstanceTypes.Single(t => t.Name == "m5.large").Offerings
            .Single(o => o.Zone == "us-east-1a" && o.CapacityType == CapacityTypes.Spot).Price;

        var seen = new HashSet<double>();
        for (var h = 0; h < 24; h++)
        {
            var price = await SpotPrice(cloud, "m5.large", "us-east-1a");
            Assert.InRange(price, baseSpot * 0.85 - 1e-6, baseSpot * 1.15 + 1e-6);
            var hour = SimulatedPricing.Hour(clock.GetUtcNow());
            var expected = Math.Round(baseSpot * (0.85 + (0.30 * (SimulatedHash.Fnv1a64($"m5.large/us-east-1a/{hour}") % 10000 / 10000.0))), 6, MidpointRounding.AwayFromZero);
            Assert.Equal(expected, price, 9);
            seen.Add(price);
            clock.Advance(TimeSpan.FromHours(1));
        }

        Assert.True(seen.Count > 12, $"only {seen.Count} distinct prices in a day");
    }

    [Fact]
    public async Task Spot_prices_hold_within_an_hour_and_are_the_same_for_every_provider()
    {
        var clock = Clock();
        var cloud = Create(clock);
        var other = Create(Clock(), o => o.Seed = 99);

        var first = await SpotPrices(cloud);
        Assert.Equal(first, await SpotPrices(other));
        clock.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(first, await SpotPrices(cloud));
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.NotEqual(first, await SpotPrices(cloud));
    }

    [Fact]
    public async Task A_launch_pays_the_current_price_of_the_offering_not_the_requested_one()
    {
        var clock = Clock();
        var cloud = Create(clock);
        clock.Advance(TimeSpan.FromHours(5));
        var current = await SpotPrice(cloud, "c5.large", "us-east-1c");

        var instance = (await cloud.LaunchAsync(Request("us-east-1", new LaunchOffering("c5.large", "us-east-1c", "spot", 123.0)))).Instance!;

        Assert.Equal(current, instance.PricePerHour);
        Assert.Equal(CapacityTypes.Spot, instance.CapacityType);
    }

    private static async Task<double> SpotPrice(SimulatedCloudProvider cloud, string type, string zone) =>
        (await cloud.GetInstanceTypesAsync("us-east-1")).InstanceTypes.Single(t => t.Name == type).Offerings
            .Single(o => o.Zone == zone && o.CapacityType == CapacityTypes.Spot).Price;

    private static async Task<List<double>> SpotPrices(SimulatedCloudProvider cloud) =>
        [.. (await cloud.GetInstanceTypesAsync("us-east-1")).InstanceTypes.SelectMany(t => t.Offerings)
            .Where(o => o.CapacityType == CapacityTypes.Spot).Select(o => o.Price)];
}
