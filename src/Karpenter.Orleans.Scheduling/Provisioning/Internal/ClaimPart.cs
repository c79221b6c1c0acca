using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Provisioning.Internal;

/// <summary>
/// One NodeClaim of the final plan: a planned claim as packed, or one node of a cheaper cover of several
/// interchangeable claims (see <see cref="SingleGroupCover"/>). <see cref="Reserved"/> bounds its options so
/// the plan stays within what the packing counted against NodePool limits.
/// </summary>
internal sealed record ClaimPart(ClaimTarget Claim, ResourceVector Used, IReadOnlyList<string> Pods, ResourceVector Reserved)
{
    public static ClaimPart Whole(ClaimTarget c) => new(c, c.Used, c.NewPods, c.Reserved);
}
