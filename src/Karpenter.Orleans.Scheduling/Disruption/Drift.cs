using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.Scheduling.Disruption;

/// <summary>
/// Whether a NodeClaim has drifted from its NodePool, by Karpenter's two rules: static drift (the template the
/// claim was made from, as <see cref="NodePoolHash"/>, is no longer the NodePool's) and requirement drift (a label
/// the claim carries no longer meets the NodePool's requirements). A label the claim does not carry is not drift:
/// a requirement added for a key the claim never had cannot be checked against it.
/// </summary>
public static class Drift
{
    public const string TemplateChanged = "NodePool template changed";

    public const string RequirementsNotMet = "the NodeClaim no longer meets the NodePool's requirements";

    /// <summary>The reason the claim has drifted, or null when it has not.</summary>
    public static string? Of(NodePool pool, string? claimTemplateHash, IReadOnlyDictionary<string, string> claimLabels)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(claimLabels);
        if (claimTemplateHash is not null && claimTemplateHash != NodePoolHash.Of(pool))
        {
            return TemplateChanged;
        }

        return pool.TemplateRequirements.Any(r => claimLabels.TryGetValue(r.Key, out var value) && !r.Has(value))
            ? RequirementsNotMet
            : null;
    }
}
