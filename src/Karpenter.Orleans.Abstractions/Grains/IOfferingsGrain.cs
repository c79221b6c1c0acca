namespace Karpenter.Orleans.Abstractions;

/// <summary>
/// Offerings of one provider region, keyed "{provider}/{region}", shared by every cluster there: an
/// offering that just failed for insufficient capacity is unavailable to all of them for a while.
/// </summary>
public interface IOfferingsGrain : IGrainWithStringKey
{
    Task<OfferingAvailability> GetAvailabilityAsync();

    /// <summary>Marks an offering unavailable for <paramref name="ttl"/> (the configured default when null).</summary>
    Task MarkUnavailableAsync(OfferingKey offering, string reason, string reportedBy, TimeSpan? ttl = null);
}
