using Karpenter.Orleans.Scheduling.Manifests;

namespace Karpenter.Orleans.CloudProviders.Aws.Pricing;

/// <summary>
/// Which spot price an offering gets. As Karpenter: once DescribeSpotPriceHistory has answered with records, a
/// (type, zone) without one has no spot offering (EC2 keeps a price for every pool it runs); before any record
/// (an endpoint without spot history) spot is priced from on-demand. A described price is used when it is
/// plausible: at least <see cref="PlausibleFraction"/> of on-demand (real spot prices sit around 30–90 % of
/// it). An implausible one (EC2-compatible servers such as moto answer a constant $0.00001) is replaced by the
/// catalog's deterministic spot rule (docs/catalog.md). Without an on-demand price there is nothing to judge
/// against or derive from: a price of at least <see cref="AbsoluteFloor"/> is used, anything else gives no
/// spot offering.
/// </summary>
internal static class SpotPricePolicy
{
    public const decimal PlausibleFraction = 0.05m;
    public const decimal AbsoluteFloor = 0.001m;

    /// <param name="instanceType">The type.</param>
    /// <param name="zone">The zone.</param>
    /// <param name="described">The latest described price of the pool, if any.</param>
    /// <param name="onDemand">The type's on-demand price, if known.</param>
    /// <param name="historyDescribed">True when the region's spot history had any record at all.</param>
    public static double? Price(string instanceType, string zone, decimal? described, decimal? onDemand, bool historyDescribed)
    {
        if (described is null && historyDescribed)
        {
            return null;
        }

        if (onDemand is { } od)
        {
            return described is { } price && price >= od * PlausibleFraction
                ? (double)price
                : SpotPriceRule.Price(instanceType, zone, od);
        }

        return described is { } p && p >= AbsoluteFloor ? (double)p : null;
    }
}
