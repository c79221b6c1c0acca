using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.Grains.Shared;

/// <summary>
/// Offerings that just failed for insufficient capacity, per provider region. Deliberately kept in memory
/// only: like Karpenter's cache it expires within minutes, so losing it on a restart costs one failed launch.
/// </summary>
public sealed class OfferingsGrain(IOptions<ProvisioningOptions> options, ServiceClock time) : Grain, IOfferingsGrain
{
    private readonly Dictionary<OfferingKey, UnavailableOffering> _unavailable = [];
    private long _version;

    Task<OfferingAvailability> IOfferingsGrain.GetAvailabilityAsync()
    {
        Prune();
        return Task.FromResult(new OfferingAvailability(
            _unavailable.Values.OrderBy(u => u.Offering.ToString(), StringComparer.Ordinal).ToList(), _version));
    }

    Task IOfferingsGrain.MarkUnavailableAsync(OfferingKey offering, string reason, string reportedBy, TimeSpan? ttl)
    {
        ArgumentNullException.ThrowIfNull(offering);
        var until = time.Now + (ttl ?? options.Value.UnavailableOfferingTtl);
        if (!_unavailable.TryGetValue(offering, out var existing) || existing.Until < until)
        {
            _unavailable[offering] = new UnavailableOffering(offering, reason, until, reportedBy);
            _version++;
        }

        return Task.CompletedTask;
    }

    private void Prune()
    {
        var now = time.Now;
        foreach (var key in _unavailable.Where(p => p.Value.Until <= now).Select(p => p.Key).ToList())
        {
            _unavailable.Remove(key);
            _version++;
        }
    }
}
