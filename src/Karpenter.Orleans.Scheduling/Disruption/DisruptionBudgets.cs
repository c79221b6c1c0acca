using System.Globalization;
using Cronos;
using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.Scheduling.Disruption;

/// <summary>
/// NodePool disruption budgets as Karpenter reads them: each active budget whose <c>reasons</c> is empty or
/// names the reason allows <c>nodes</c> disruptions (a count, or a percentage of the NodePool's nodes
/// rounded up); the NodePool allows the smallest of them. A budget with a <c>schedule</c> is active while
/// the cron's next occurrence after <c>now − duration</c> is not after now (UTC). A schedule that does not
/// parse, or one without a duration, fails closed: it allows nothing.
/// </summary>
public static class DisruptionBudgets
{
    /// <summary>What the planner returns when no budget limits a reason.</summary>
    public const int Unlimited = int.MaxValue;

    /// <summary>
    /// Disruptions <paramref name="pool"/> allows for <paramref name="reason"/> at <paramref name="now"/>,
    /// given <paramref name="nodeCount"/> nodes (before subtracting nodes already being disrupted).
    /// </summary>
    public static int Allowed(NodePool pool, DisruptionReason reason, int nodeCount, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(pool);
        var allowed = Unlimited;
        foreach (var budget in pool.Disruption.Budgets)
        {
            if (!Applies(budget, reason))
            {
                continue;
            }

            var active = IsActive(budget, now);
            if (active is false)
            {
                continue;
            }

            // null: the schedule is broken, so the budget allows nothing (Karpenter fails closed).
            allowed = Math.Min(allowed, active is null ? 0 : Nodes(budget.Nodes, nodeCount));
        }

        return allowed;
    }

    /// <summary>Whether the budget counts disruptions of <paramref name="reason"/>: its reasons are empty or name it.</summary>
    public static bool Applies(DisruptionBudget budget, DisruptionReason reason)
    {
        ArgumentNullException.ThrowIfNull(budget);
        return budget.Reasons is not { Count: > 0 } reasons ||
            reasons.Any(r => string.Equals(r, reason.ToString(), StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>True while the budget is in force, false outside its window, null when its schedule is invalid.</summary>
    public static bool? IsActive(DisruptionBudget budget, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(budget);
        if (budget.Schedule is null)
        {
            return budget.Duration is null ? true : null;
        }

        if (budget.Duration is not { } duration || !TryParseSchedule(budget.Schedule, out var cron))
        {
            return null;
        }

        var from = now.UtcDateTime - duration;
        var next = cron.GetNextOccurrence(DateTime.SpecifyKind(from, DateTimeKind.Utc), TimeZoneInfo.Utc, inclusive: false);
        return next is { } n && n <= now.UtcDateTime;
    }

    /// <summary>
    /// The budget's <c>nodes</c> against <paramref name="nodeCount"/>: "5" is 5, "10%" is 10% rounded up
    /// (5% of 10 nodes is 1). A value that is neither allows nothing.
    /// </summary>
    public static int Nodes(string nodes, int nodeCount)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var text = nodes.Trim();
        if (text.EndsWith('%'))
        {
            if (!int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var percent) || percent > 100)
            {
                return 0;
            }

            return (int)Math.Ceiling(percent * (long)nodeCount / 100.0);
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : 0;
    }

    /// <summary>
    /// Parses a budget schedule the way Karpenter's cron library does: five fields (minute hour day month
    /// weekday) or a macro such as <c>@daily</c>, in UTC.
    /// </summary>
    public static bool TryParseSchedule(string schedule, out CronExpression cron)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        try
        {
            cron = CronExpression.Parse(schedule.Trim(), CronFormat.Standard);
            return true;
        }
        catch (CronFormatException)
        {
            cron = null!;
            return false;
        }
    }
}
