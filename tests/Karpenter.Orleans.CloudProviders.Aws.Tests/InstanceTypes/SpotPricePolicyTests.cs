using Karpenter.Orleans.CloudProviders.Aws.Pricing;
using Karpenter.Orleans.Scheduling.Manifests;

namespace Karpenter.Orleans.CloudProviders.Aws.Tests.InstanceTypes;

/// <summary>Which spot price an offering gets from the described price, the on-demand price and whether EC2 had any spot history.</summary>
public sealed class SpotPricePolicyTests
{
    [Fact]
    public void A_plausible_described_price_is_used_as_it_is() =>
        Assert.Equal(0.0412, SpotPricePolicy.Price("m5.large", "us-east-1a", 0.0412m, 0.096m, historyDescribed: true));

    [Theory]
    [InlineData("0.00001")]
    [InlineData("0.0047")]
    public void A_price_below_5_percent_of_on_demand_is_replaced_by_the_catalog_rule(string described) =>
        Assert.Equal(SpotPriceRule.Price("m5.large", "us-east-1a", 0.096m),
            SpotPricePolicy.Price("m5.large", "us-east-1a", decimal.Parse(described, System.Globalization.CultureInfo.InvariantCulture), 0.096m, historyDescribed: true));

    [Fact]
    public void Exactly_5_percent_of_on_demand_is_plausible() =>
        Assert.Equal(0.0048, SpotPricePolicy.Price("m5.large", "us-east-1a", 0.0048m, 0.096m, historyDescribed: true));

    [Fact]
    public void A_pool_without_a_record_has_no_spot_offering_once_EC2_described_spot_prices() =>
        Assert.Null(SpotPricePolicy.Price("m5.large", "us-east-1c", null, 0.096m, historyDescribed: true));

    [Fact]
    public void Without_any_spot_history_spot_is_priced_from_on_demand() =>
        Assert.Equal(SpotPriceRule.Price("m5.large", "us-east-1c", 0.096m), SpotPricePolicy.Price("m5.large", "us-east-1c", null, 0.096m, historyDescribed: false));

    [Theory]
    [InlineData(0.25, 0.25)]
    [InlineData(0.001, 0.001)]
    [InlineData(0.0009, null)]
    [InlineData(0.00001, null)]
    public void Without_an_on_demand_price_only_a_described_price_of_at_least_a_tenth_of_a_cent_is_used(double described, double? expected) =>
        Assert.Equal(expected, SpotPricePolicy.Price("x9z.large", "us-east-1a", (decimal)described, null, historyDescribed: true));

    [Fact]
    public void Without_an_on_demand_price_or_a_described_one_there_is_no_spot_offering()
    {
        Assert.Null(SpotPricePolicy.Price("x9z.large", "us-east-1a", null, null, historyDescribed: true));
        Assert.Null(SpotPricePolicy.Price("x9z.large", "us-east-1a", null, null, historyDescribed: false));
    }
}
