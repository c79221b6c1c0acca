using System.Globalization;

namespace Karpenter.Orleans.Scheduling.Provisioning;

/// <summary>
/// A cluster's spend cap: the most its live NodeClaims may cost per hour. Planned claims are admitted in
/// the solver's order while the committed spend plus the claim's price stays within the cap; a claim that
/// would pass it is held, and a later, cheaper claim may still fit. Prices are compared with a
/// tolerance of 1e-9 $/h, so a claim that lands exactly on the cap is admitted.
/// </summary>
public static class SpendCap
{
    private const double Tolerance = 1e-9;

    /// <param name="planned">The run's planned claims, in the solver's order.</param>
    /// <param name="committedPerHour">What the cluster's live claims already cost per hour.</param>
    /// <param name="capPerHour">The cap, or null for none (everything is admitted).</param>
    public static SpendCapAdmission Admit(IReadOnlyList<PlannedNodeClaim> planned, double committedPerHour, double? capPerHour)
    {
        ArgumentNullException.ThrowIfNull(planned);
        if (capPerHour is < 0 || capPerHour is { } c0 && !double.IsFinite(c0))
        {
            throw new ArgumentOutOfRangeException(nameof(capPerHour), capPerHour, "a spend cap is a finite, non-negative $/hour");
        }

        var admitted = new List<PlannedNodeClaim>();
        var held = new List<HeldNodeClaim>();
        var committed = committedPerHour;
        foreach (var plan in planned)
        {
            if (capPerHour is { } cap && committed + plan.PricePerHour > cap + Tolerance)
            {
                held.Add(new HeldNodeClaim(plan, string.Create(CultureInfo.InvariantCulture,
                    $"cluster spend cap ${cap:0.####}/h reached (${committed:0.####}/h committed; a {plan.InstanceType} NodeClaim needs ${plan.PricePerHour:0.####}/h)")));
                continue;
            }

            committed += plan.PricePerHour;
            admitted.Add(plan);
        }

        return new SpendCapAdmission(admitted, held);
    }

    /// <summary>
    /// The dearest offering a claim's launch may fall back to: under a cap (the cluster's or the fleet's),
    /// no dearer than the price the cap admitted; without one, any.
    /// </summary>
    public static double LaunchCeiling(PlannedNodeClaim plan, bool capped)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return capped ? plan.PricePerHour + Tolerance : double.PositiveInfinity;
    }
}
