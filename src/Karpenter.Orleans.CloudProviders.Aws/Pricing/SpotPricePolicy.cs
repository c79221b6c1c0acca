using Karpenter.Orleans.Scheduling.Manifests;

namespace Karpenter.Orleans.CloudProviders.Aws.Pricing;

/// <summary>
/// Which spot price an offering gets. A price from DescribeSpotPriceHistory is used when it is plausible:
/// at least <see cref="PlausibleFraction"/> of on-demand (real spot prices sit around 30–90 % of it). An
/// implausible price (EC2-compatible servers such as moto answer a constant $0.00001) or a missing one is
/// replaced by the catalog's deterministic spot rule (docs/catalog.md), which is what Karpenter does before
/// its first spot refresh (spot seeded from on-demand). Without an on-demand price there is nothing to
/// judge against or derive from: a price of at least <see cref="AbsoluteFloor"/> is used, anything else
/// gives no spot offering.
/// </summary>
internal static class SpotPricePolicy
{
    public const decimal PlausibleFraction = 0.05m;
    public const decimal AbsoluteFloor = 0.001m;

    public static double? Price(string instanceType, string zone, decimal? described, decimal? onDemand)
    {
        if (onDemand is { } od)
        {
            return described is { } price && price >= od * PlausibleFraction
                ? (double)price
                : SpotPriceRule.Price(instanceType, zone, od);
        }

        return described is { } p && p >= AbsoluteFloor ? (double)p : null;
    }
}
