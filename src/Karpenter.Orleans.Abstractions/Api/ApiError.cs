namespace Karpenter.Orleans.Abstractions;

/// <summary>The body of every 4xx answer: what is wrong and, when one field is to blame, which.</summary>
public sealed record ApiError(string Error, string? Field = null);
