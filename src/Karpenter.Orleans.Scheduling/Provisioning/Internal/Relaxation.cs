using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.Scheduling.Provisioning.Internal;

/// <summary>
/// A pod group's constraints at one relaxation step. Karpenter starts with preferences treated as
/// required and relaxes one at a time, in this order: next required node-selector term, heaviest
/// preferred pod affinity, heaviest preferred pod anti-affinity, heaviest preferred node affinity,
/// one ScheduleAnyway spread, then tolerate PreferNoSchedule taints.
/// </summary>
internal sealed record Relaxation(
    int TermIndex,
    int DroppedPreferredAffinity,
    int DroppedPreferredAntiAffinity,
    int DroppedPreferredNode,
    int DroppedScheduleAnyway,
    bool ToleratePreferNoSchedule)
{
    public static readonly Relaxation Strict = new(0, 0, 0, 0, 0, false);

    public static Relaxation Ignore(PodGroup g) =>
        new(0, g.PreferredAffinity.Count, g.PreferredAntiAffinity.Count, g.PreferredNodeTerms.Count, g.Spreads.Count(s => s.ScheduleAnyway), true);

    public Relaxation? Next(PodGroup g, bool anyPreferNoScheduleTaint)
    {
        if (TermIndex < g.RequiredTerms.Count - 1)
        {
            return this with { TermIndex = TermIndex + 1 };
        }

        if (DroppedPreferredAffinity < g.PreferredAffinity.Count)
        {
            return this with { DroppedPreferredAffinity = DroppedPreferredAffinity + 1 };
        }

        if (DroppedPreferredAntiAffinity < g.PreferredAntiAffinity.Count)
        {
            return this with { DroppedPreferredAntiAffinity = DroppedPreferredAntiAffinity + 1 };
        }

        if (DroppedPreferredNode < g.PreferredNodeTerms.Count)
        {
            return this with { DroppedPreferredNode = DroppedPreferredNode + 1 };
        }

        if (DroppedScheduleAnyway < g.Spreads.Count(s => s.ScheduleAnyway))
        {
            return this with { DroppedScheduleAnyway = DroppedScheduleAnyway + 1 };
        }

        if (!ToleratePreferNoSchedule && anyPreferNoScheduleTaint)
        {
            return this with { ToleratePreferNoSchedule = true };
        }

        return null;
    }

    /// <summary>The node requirements at this step: the current required term and the heaviest remaining preferred term.</summary>
    public RequirementSet Requirements(PodGroup g)
    {
        var reqs = g.RequiredTerms.Count > 0 ? g.RequiredTerms[Math.Min(TermIndex, g.RequiredTerms.Count - 1)] : RequirementSet.Empty;
        if (DroppedPreferredNode < g.PreferredNodeTerms.Count)
        {
            reqs = reqs.Add(g.PreferredNodeTerms[DroppedPreferredNode]);
        }

        return reqs;
    }

    /// <summary>Only the required node selection: what topology spread counts domains over.</summary>
    public RequirementSet StrictRequirements(PodGroup g) =>
        g.RequiredTerms.Count > 0 ? g.RequiredTerms[Math.Min(TermIndex, g.RequiredTerms.Count - 1)] : RequirementSet.Empty;

    public IEnumerable<TopologyGroup> Spreads(PodGroup g)
    {
        var anywayToSkip = DroppedScheduleAnyway;
        foreach (var (tg, anyway) in g.Spreads)
        {
            if (anyway && anywayToSkip > 0)
            {
                anywayToSkip--;
                continue;
            }

            yield return tg;
        }
    }

    public IEnumerable<TopologyGroup> Affinity(PodGroup g) => g.RequiredAffinity.Concat(g.PreferredAffinity.Skip(DroppedPreferredAffinity));

    public IEnumerable<TopologyGroup> AntiAffinity(PodGroup g) => g.RequiredAntiAffinity.Concat(g.PreferredAntiAffinity.Skip(DroppedPreferredAntiAffinity));
}
