namespace Karpenter.Orleans.Abstractions;

/// <summary>A spend ceiling in dollars per hour; null removes it.</summary>
public sealed record SpendCapRequest(double? PricePerHour);
