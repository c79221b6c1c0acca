using Karpenter.Orleans.CloudProviders.Simulated;
using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.CloudProviders.Aws.Pricing;

/// <summary>
/// On-demand prices per instance type from the shipped catalog (its <c>onDemandPricePerHour</c>); EC2 has no
/// price API and the Pricing API is not served by EC2-compatible endpoints. Read again on every catalog
/// refresh, so an edited file takes effect (the parse is shared while the file is unchanged).
/// </summary>
internal static class OnDemandPriceTable
{
    public static IReadOnlyDictionary<string, decimal> Load(string? configuredPath)
    {
        var path = SimulatedCatalogFile.Resolve(configuredPath, out var problem)
            ?? throw new CloudProviderException(CloudErrorCode.Internal, $"aws: the on-demand price table cannot be read: {problem}");
        var catalog = SimulatedCatalogFile.Load(path);
        var prices = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var type in catalog.InstanceTypes)
        {
            // The loader turns onDemandPricePerHour into one on-demand offering per zone, all at that price.
            if (type.Offerings.FirstOrDefault(o => o.CapacityType == CapacityTypes.OnDemand) is { } offering)
            {
                prices[type.Name] = (decimal)offering.Price;
            }
        }

        return prices;
    }
}
