namespace Karpenter.Orleans.Abstractions;

/// <summary>An agent's answer to one command, by its id.</summary>
[GenerateSerializer, Immutable]
public sealed record CommandAck(
    string Id,
    CommandOutcome Outcome,
    string? Message = null);
