namespace Karpenter.Orleans.Scheduling.Disruption;

/// <summary>
/// Karpenter's <c>consolidationPolicy: Balanced</c> (its balanced-consolidation design, k = 2): a consolidation
/// move is worth its disruption when the share of its NodePool's cost it saves is at least 1/k of the share of
/// the NodePool's disruption cost it causes:
/// <c>score = (saving / poolCost) / (disruptionCost / poolDisruptionCost)</c>, approved when <c>score ≥ 1/k</c>.
/// A node's disruption cost is Karpenter's reschedule cost, 1 plus the eviction cost of each pod that moves; the
/// pool totals run over the NodePool's nodes not being deleted. A move that saves nothing is never approved.
/// A command spanning several NodePools is checked for each Balanced one on its own nodes, its saving being
/// those nodes' price less the replacement's price in proportion to their share of the command's price.
/// <c>WhenEmptyOrUnderutilized</c> is the same rule with k = ∞ (any saving above the per-pod threshold);
/// emptiness is never scored.
/// </summary>
public static class BalancedConsolidation
{
    /// <summary>Karpenter's k: a move must save at least half as large a share of the cost as the share of disruption it causes.</summary>
    public const double K = 2;

    /// <summary>The move's score; infinite when the pool has no cost or disruption to compare with (nothing to weigh against).</summary>
    public static double Score(double saving, double poolCost, double disruptionCost, double poolDisruptionCost)
    {
        if (poolCost <= 0 || disruptionCost <= 0 || poolDisruptionCost <= 0)
        {
            return double.PositiveInfinity;
        }

        return saving / poolCost / (disruptionCost / poolDisruptionCost);
    }

    /// <summary>Whether Balanced lets the move go ahead.</summary>
    public static bool Approves(double saving, double poolCost, double disruptionCost, double poolDisruptionCost) =>
        saving > 0 && Score(saving, poolCost, disruptionCost, poolDisruptionCost) >= 1 / K;
}
