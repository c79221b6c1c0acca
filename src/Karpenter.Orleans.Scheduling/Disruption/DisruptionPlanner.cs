namespace Karpenter.Orleans.Scheduling.Disruption;

/// <summary>
/// Karpenter's disruption controller as a pure function of the cluster: which nodes to delete or replace
/// now and why, proven by re-running the provisioning solver without them. Methods run in Karpenter's
/// order (emptiness, drift, expiration, interruption, multi-node then single-node consolidation); unlike
/// Karpenter, one pass keeps going while budgets allow, each action computed on the cluster as the
/// earlier ones leave it. Same input, same plan. See docs/disruption.md.
/// </summary>
public static class DisruptionPlanner
{
    /// <summary>One pass: every action that may start now, and why each other node is left alone.</summary>
    public static DisruptionPlan Plan(DisruptionInput input, DisruptionOptions? options = null)
    {
        Validate(input, ref options);
        var state = new PlannerState(input);
        var before = LivePrice(state);
        var pass = new DisruptionPass(state, options!);
        var eligible = pass.Eligible();
        pass.Run();
        return new DisruptionPlan(pass.Actions, Sorted(pass.Blocked()), Summary(before, state))
        {
            EligibleNodes = eligible,
            StoppedAtLimit = StoppedAtLimit(pass.HitCandidateLimit, pass.HitEvaluationLimit),
        };
    }

    /// <summary>
    /// Passes repeated as if each pass's actions had completed (replacements initialized, moved pods
    /// running, budgets refilled, consolidateAfter taken as elapsed for what the plan touched), until a pass
    /// does nothing or <paramref name="maxPasses"/> ran. A node single-node consolidation could not take is
    /// not proven again in later passes. The actions of all passes in order; the blocks of the last.
    /// </summary>
    public static DisruptionPlan PlanToConvergence(DisruptionInput input, DisruptionOptions? options = null, int maxPasses = 50)
    {
        Validate(input, ref options);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPasses, 1);
        var state = new PlannerState(input);
        var before = LivePrice(state);
        var actions = new List<DisruptionAction>();
        List<BlockedNode> blocked = [];
        IReadOnlyDictionary<DisruptionReason, int>? eligible = null;
        bool multiLimit = false, singleLimit = false;
        for (var i = 0; i < maxPasses; i++)
        {
            var pass = new DisruptionPass(state, options!);
            eligible ??= pass.Eligible();
            pass.Run();
            multiLimit |= pass.HitCandidateLimit;
            singleLimit |= pass.HitEvaluationLimit;
            blocked = pass.Blocked();
            actions.AddRange(pass.Actions);
            // A pass that acted changed the cluster; one that stopped at its evaluation limit left candidates to prove.
            if (pass.Actions.Count == 0 && !pass.HitEvaluationLimit)
            {
                break;
            }

            state.CompletePass();
        }

        return new DisruptionPlan(actions, Sorted(blocked), Summary(before, state))
        {
            EligibleNodes = eligible!,
            StoppedAtLimit = StoppedAtLimit(multiLimit, singleLimit),
        };
    }

    private static List<DisruptionMethod> StoppedAtLimit(bool multi, bool single) =>
        [.. new[] { (multi, DisruptionMethod.MultiNodeConsolidation), (single, DisruptionMethod.SingleNodeConsolidation) }.Where(x => x.Item1).Select(x => x.Item2)];

    /// <summary>
    /// Karpenter's validation of a consolidation command (emptiness, multi-node, single-node) chosen a validation
    /// period ago, against the cluster as it is now (<paramref name="input"/>): every node must still be a
    /// candidate (initialized, not nominated, not deleting, no do-not-disrupt, its PodDisruptionBudgets allowing
    /// it, consolidateAfter elapsed, so no pod was bound or removed meanwhile) and within its NodePool's budget;
    /// then the move is proven again: a delete must still need no new NodeClaim, a replace exactly one, cheaper
    /// than the nodes, whose instance types include every type the command would launch. An emptiness command
    /// keeps the nodes still valid (as Karpenter does); any other command is dropped whole when one check fails.
    /// Other methods (drift, expiration, interruption) are not validated and come back as they are.
    /// </summary>
    public static CommandValidation Revalidate(DisruptionAction command, DisruptionInput input, DisruptionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        Validate(input, ref options);
        if (command.Method is not (DisruptionMethod.Emptiness or DisruptionMethod.MultiNodeConsolidation or DisruptionMethod.SingleNodeConsolidation))
        {
            return new CommandValidation(command, []);
        }

        return new DisruptionPass(new PlannerState(input), options!).Revalidate(command);
    }

    /// <summary>Every node of the input with the plan's action for it or the reason it is left alone, in name order.</summary>
    public static IReadOnlyList<NodeExplanation> Explain(DisruptionInput input, DisruptionPlan plan)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(plan);
        var actionOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < plan.Actions.Count; i++)
        {
            foreach (var n in plan.Actions[i].Nodes)
            {
                actionOf.TryAdd(n, i);
            }
        }

        var blockedOf = plan.Blocked.GroupBy(b => b.Node, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        return [.. input.Nodes.Select(n => n.Name).Order(StringComparer.Ordinal).Select(name =>
            actionOf.TryGetValue(name, out var i)
                ? new NodeExplanation(name, i, plan.Actions[i], null)
                : new NodeExplanation(name, null, null, blockedOf.GetValueOrDefault(name)))];
    }

    private static void Validate(DisruptionInput input, ref DisruptionOptions? options)
    {
        ArgumentNullException.ThrowIfNull(input);
        options ??= DisruptionOptions.Default;
        ArgumentOutOfRangeException.ThrowIfNegative(options.MinSavingPerPodPerHour, "DisruptionOptions.MinSavingPerPodPerHour");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MultiNodeCandidateLimit, 0, "DisruptionOptions.MultiNodeCandidateLimit");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SingleNodeCandidateLimit, 0, "DisruptionOptions.SingleNodeCandidateLimit");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MinInstanceTypesForSpotToSpot, 1, "DisruptionOptions.MinInstanceTypesForSpotToSpot");
    }

    private static double LivePrice(PlannerState state) => state.Nodes.Values.Where(n => !n.Cluster.Deleting).Sum(n => n.Price);

    private static DisruptionSummary Summary(double before, PlannerState state)
    {
        var after = LivePrice(state);
        return new DisruptionSummary(Math.Round(before, 6), Math.Round(after, 6), Math.Round(before - after, 6));
    }

    private static List<BlockedNode> Sorted(List<BlockedNode> blocked) => [.. blocked.OrderBy(b => b.Node, StringComparer.Ordinal)];
}
