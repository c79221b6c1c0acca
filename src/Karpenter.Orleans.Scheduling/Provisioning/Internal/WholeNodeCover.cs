namespace Karpenter.Orleans.Scheduling.Provisioning.Internal;

/// <summary>
/// The cheapest whole nodes that hold c identical pods, for every c up to a maximum: an unbounded knapsack
/// over node options that each hold <c>Fit</c> pods at a price. Used for the exact cost of isolated groups
/// in the lower bound and for re-covering interchangeable claims in a plan.
/// </summary>
internal static class WholeNodeCover
{
    /// <summary>
    /// <c>Cost[c]</c> is the cheapest cover of c pods (∞ when none); <c>Choice[c]</c> the option of one of its
    /// nodes (−1 for c = 0), so following c − Fit from <c>max</c> lists a cheapest cover's nodes.
    /// </summary>
    public static (double[] Cost, int[] Choice) Solve(IReadOnlyList<(int Fit, double Price)> options, int max)
    {
        var cost = new double[max + 1];
        var choice = new int[max + 1];
        choice[0] = -1;
        for (var c = 1; c <= max; c++)
        {
            cost[c] = double.PositiveInfinity;
            choice[c] = -1;
            for (var o = 0; o < options.Count; o++)
            {
                var (fit, price) = options[o];
                if (fit <= 0)
                {
                    continue;
                }

                var value = price + cost[Math.Max(0, c - fit)];
                if (value < cost[c])
                {
                    (cost[c], choice[c]) = (value, o);
                }
            }
        }

        return (cost, choice);
    }
}
