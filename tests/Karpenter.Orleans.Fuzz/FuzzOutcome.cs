namespace Karpenter.Orleans.Fuzz;

/// <summary>What a target made of one input: parsed, or refused with the project's own located error.</summary>
public enum FuzzOutcome
{
    Accepted,
    Refused,
}
