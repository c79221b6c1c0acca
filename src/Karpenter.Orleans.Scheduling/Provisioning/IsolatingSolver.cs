using k8s.Models;
using Karpenter.Orleans.Scheduling.Provisioning.Internal;

namespace Karpenter.Orleans.Scheduling.Provisioning;

/// <summary>
/// Runs the solver so that one bad pod cannot stop provisioning for the rest of its cluster. When a solve
/// throws, the pod it fails on is found by binary split: the pods, ordered by key, are halved and each half
/// solved alone (with every node, DaemonSet and NodePool) until one pod is left that fails by itself; it is
/// quarantined and the solve retried without it (an in-flight claim keeps the nominations of the pods still in). That costs about two solves of the whole input per bad
/// pod, is deterministic (the same input quarantines the same pods) and is tried for at most
/// <see cref="MaxQuarantinedPerRun"/> pods. A failure without pods, or one only a combination of pods
/// causes, is returned as <see cref="IsolatedSolve.Failure"/> with nobody quarantined for it.
/// </summary>
public static class IsolatingSolver
{
    public const int MaxQuarantinedPerRun = 8;

    /// <summary>Solves <paramref name="input"/>; <paramref name="solve"/> replaces <see cref="ProvisioningSolver.Solve"/> (tests).</summary>
    public static IsolatedSolve Solve(SchedulingInput input, SolverOptions? options = null, Func<SchedulingInput, SchedulingResult>? solve = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        solve ??= i => ProvisioningSolver.Solve(i, options);
        var pods = input.Pods.ToList();
        var quarantined = new List<QuarantinedPod>();
        while (true)
        {
            Exception failure;
            try
            {
                return new IsolatedSolve(solve(WithPods(input, pods)), quarantined, null);
            }
            catch (Exception ex) when (IsSolverFault(ex))
            {
                failure = ex;
            }

            if (quarantined.Count >= MaxQuarantinedPerRun || pods.Count == 0 || Trial(input, solve, []) is not null)
            {
                return new IsolatedSolve(null, quarantined, failure);
            }

            if (Isolate(input, solve, pods, failure) is not { } found)
            {
                return new IsolatedSolve(null, quarantined, failure);
            }

            quarantined.Add(new QuarantinedPod(PodCompiler.Key(found.Pod), Describe(found.Error)));
            pods.Remove(found.Pod);
        }
    }

    /// <summary>"OverflowException: ..." without the stack: what a user reads in a pending reason.</summary>
    public static string Describe(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return $"{error.GetType().Name}: {error.Message}";
    }

    private static (V1Pod Pod, Exception Error)? Isolate(SchedulingInput input, Func<SchedulingInput, SchedulingResult> solve, List<V1Pod> pods, Exception failure)
    {
        var suspects = pods.OrderBy(PodCompiler.Key, StringComparer.Ordinal).ToList();
        var error = failure;
        while (suspects.Count > 1)
        {
            var first = suspects[..(suspects.Count / 2)];
            var second = suspects[(suspects.Count / 2)..];
            if (Trial(input, solve, first) is { } e1)
            {
                (suspects, error) = (first, e1);
            }
            else if (Trial(input, solve, second) is { } e2)
            {
                (suspects, error) = (second, e2);
            }
            else
            {
                // Each half solves alone: the failure needs pods of both halves, so no single pod is to blame.
                return null;
            }
        }

        // The last trial that failed (or the whole solve) held exactly this pod.
        return (suspects[0], error);
    }

    /// <summary>The error solving <paramref name="subset"/> (kept in input order) throws, or null when it solves.</summary>
    private static Exception? Trial(SchedulingInput input, Func<SchedulingInput, SchedulingResult> solve, List<V1Pod> subset)
    {
        var members = subset.ToHashSet(ReferenceEqualityComparer.Instance);
        try
        {
            solve(WithPods(input, input.Pods.Where(members.Contains).ToList()));
            return null;
        }
        catch (Exception ex) when (IsSolverFault(ex))
        {
            return ex;
        }
    }

    /// <summary>The input with only <paramref name="pods"/>; in-flight claims keep the nominations of those pods only.</summary>
    private static SchedulingInput WithPods(SchedulingInput input, List<V1Pod> pods)
    {
        if (input.NodeClaims.Count == 0)
        {
            return input with { Pods = pods };
        }

        var keys = pods.Select(PodCompiler.Key).ToHashSet(StringComparer.Ordinal);
        var claims = input.NodeClaims
            .Select(c => c is null || c.NominatedPods.All(keys.Contains) ? c : c with { NominatedPods = c.NominatedPods.Where(keys.Contains).ToList() })
            .ToList();
        return input with { Pods = pods, NodeClaims = claims! };
    }

    private static bool IsSolverFault(Exception ex) => ex is not (OutOfMemoryException or OperationCanceledException);
}
