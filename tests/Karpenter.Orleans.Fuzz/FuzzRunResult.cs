namespace Karpenter.Orleans.Fuzz;

/// <summary>Counts of one bounded run, and its failures (at most a few are kept).</summary>
public sealed record FuzzRunResult(string Target, int Inputs, int Accepted, int Refused, long MaxAllocatedBytes, IReadOnlyList<FuzzFailure> Failures);
