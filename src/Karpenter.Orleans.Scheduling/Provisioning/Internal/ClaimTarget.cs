using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Provisioning.Internal;

/// <summary>A NodeClaim planned in this run: its requirements and the instance types that still fit its pods.</summary>
internal sealed class ClaimTarget : Target
{
    private RequirementSet _requirements = RequirementSet.Empty;

    public required int Id { get; init; }

    public required PoolTemplate Pool { get; init; }

    public required RequirementSet Requirements
    {
        get => _requirements;
        set
        {
            if (!ReferenceEquals(value, _requirements))
            {
                _requirements = value;
                AtHome = null;
            }
        }
    }

    /// <summary>
    /// Per group, whether its pods are at home on this claim's offerings (see SchedulerRun.AtHome); depends on
    /// the pool and <see cref="Requirements"/> only, so it is kept until the requirements change.
    /// </summary>
    public bool[]? AtHome { get; set; }

    /// <summary>Indices of the types still possible, ascending.</summary>
    public required int[] Types { get; set; }

    /// <summary>Component-wise maximum room left over the types: a quick upper bound for rejects.</summary>
    public ResourceVector MaxRoom { get; set; }

    /// <summary>Capacity reserved against NodePool limits: the largest capacity among the types.</summary>
    public ResourceVector Reserved { get; set; }

    public bool MinValuesRelaxed { get; set; }

    /// <summary>The type the claim would launch now (cheapest that fits), its price and the room it has left.</summary>
    public int LaunchType { get; set; } = -1;

    public double LaunchPrice { get; set; }

    public ResourceVector LaunchRoom { get; set; }

    /// <summary>True while the claim's zone requirement comes only from the LP seed it was opened for.</summary>
    public bool ZoneFromSeed { get; set; }

    /// <summary>How many pods of each group the claim carries.</summary>
    public Dictionary<PodGroup, int> GroupPods { get; } = [];

    /// <summary>minValues per key in force for this claim (lowered under BestEffort).</summary>
    public Dictionary<string, int>? MinValues { get; set; }

    public override string? Domain(string key)
    {
        if (key == WellKnownLabels.Hostname)
        {
            return null;
        }

        var r = Requirements[key];
        return r is { Complement: false, Values.Count: 1 } ? r.Values[0] : null;
    }
}
