namespace Karpenter.Orleans.Fuzz;

/// <summary>
/// A bounded in-process run: every seed as is, then a fixed number of mutants, each checked against the
/// contract (accepted or a located refusal), an allocation bound and a generous hang bound.
/// </summary>
public sealed class MutationRun(FuzzTarget target, IReadOnlyList<byte[]> seeds, int seed, int maxLength = MutationRun.DefaultMaxLength)
{
    public const int DefaultMaxLength = 64 * 1024;

    /// <summary>No reader may allocate this much for one input of at most <see cref="DefaultMaxLength"/> bytes.</summary>
    public const long AllocationBound = 256L * 1024 * 1024;

    private const int KeptFailures = 5;
    private const int PoolSize = 512;

    /// <summary>Far above any reader's time for one small input: only a hang or a runaway loop reaches it.</summary>
    private static readonly TimeSpan HangBound = TimeSpan.FromSeconds(60);

    public FuzzRunResult Run(int mutants)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        if (seeds.Count == 0)
        {
            throw new ArgumentException("a run needs at least one seed", nameof(seeds));
        }

        var mutator = new Mutator(seed, target.Tokens, maxLength);
        var pick = new Random(seed ^ 0x5eed);
        // Accepted mutants join the pool: they are near-valid, so mutating them again reaches deeper checks.
        var pool = new List<byte[]>(seeds);
        var failures = new List<FuzzFailure>();
        int accepted = 0, refused = 0, inputs = 0;
        long maxAllocated = 0;

        bool Try(byte[] input)
        {
            inputs++;
            var (outcome, allocated, problem) = Guarded(input);
            maxAllocated = Math.Max(maxAllocated, allocated);
            if (problem is not null)
            {
                failures.Add(new FuzzFailure(target.Name, input, problem));
                return false;
            }

            if (outcome == FuzzOutcome.Accepted)
            {
                accepted++;
            }
            else
            {
                refused++;
            }

            return outcome == FuzzOutcome.Accepted;
        }

        foreach (var input in seeds)
        {
            Try(input);
        }

        for (var i = 0; i < mutants && failures.Count < KeptFailures; i++)
        {
            var mutant = mutator.Mutate(pool[pick.Next(pool.Count)], pool[pick.Next(pool.Count)]);
            if (Try(mutant) && pool.Count < PoolSize)
            {
                pool.Add(mutant);
            }

            if (failures.Count > 0 && failures[^1].Problem.StartsWith("no answer", StringComparison.Ordinal))
            {
                break;
            }
        }

        return new FuzzRunResult(target.Name, inputs, accepted, refused, maxAllocated, failures);
    }

    private (FuzzOutcome Outcome, long Allocated, string? Problem) Guarded(byte[] input)
    {
        var run = Task.Factory.StartNew(
            () =>
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    var outcome = target.Execute(input);
                    return (outcome, GC.GetAllocatedBytesForCurrentThread() - before, (string?)null);
                }
#pragma warning disable CA1031 // Any exception escaping the target is the finding being recorded.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    return (FuzzOutcome.Refused, GC.GetAllocatedBytesForCurrentThread() - before, $"{ex.GetType().FullName}: {ex.Message}{Environment.NewLine}{ex.StackTrace}");
                }
            },
            CancellationToken.None,
            TaskCreationOptions.None,
            TaskScheduler.Default);
        if (!run.Wait(HangBound))
        {
            return (FuzzOutcome.Refused, 0, $"no answer within {HangBound.TotalSeconds:0} s (a hang or a runaway loop)");
        }

        var (result, allocated, problem) = run.Result;
        if (problem is null && allocated > AllocationBound)
        {
            problem = $"allocated {allocated / (1024 * 1024)} MiB for a {input.Length}-byte input (bound {AllocationBound / (1024 * 1024)} MiB)";
        }

        return (result, allocated, problem);
    }
}
