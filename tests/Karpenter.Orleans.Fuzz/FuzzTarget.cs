namespace Karpenter.Orleans.Fuzz;

/// <summary>
/// One reader under fuzz. <see cref="Execute"/> returns <see cref="FuzzOutcome.Refused"/> for the reader's
/// own located error and lets anything else escape: an escaping exception is a finding.
/// </summary>
public abstract class FuzzTarget
{
    /// <summary>The target's name on the command line and its folder under corpus/.</summary>
    public abstract string Name { get; }

    /// <summary>Structural tokens the mutator inserts (JSON or YAML syntax and the format's field names).</summary>
    public abstract IReadOnlyList<string> Tokens { get; }

    /// <summary>The last refusal's message (and the exception it wraps, if any), for triage.</summary>
    public string? LastRefusal { get; protected set; }

    public abstract FuzzOutcome Execute(byte[] input);

    protected void Refused(Exception refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        LastRefusal = refusal.InnerException is { } inner ? $"{refusal.Message} (wraps {inner.GetType().Name})" : refusal.Message;
    }
}
