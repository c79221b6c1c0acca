using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Silo.Console;

/// <summary>
/// A registered cluster as the <see cref="FleetSnapshot"/> holds it: its last good <see cref="Answer"/> and when
/// it came (<see cref="AsOf"/>), and, when the last read failed or timed out, why (<see cref="Problem"/>).
/// </summary>
public sealed record ClusterReading(RegisteredCluster Registration, ClusterAnswer? Answer, DateTimeOffset? AsOf, string? Problem)
{
    public string ClusterId => Registration.Registration.ClusterId;

    /// <summary>Never answered, its last read failed, or its answer is older than <paramref name="staleAfter"/>.</summary>
    public bool IsStale(DateTimeOffset now, TimeSpan staleAfter) => Answer is null || Problem is not null || now - AsOf > staleAfter;
}
