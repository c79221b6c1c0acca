using System.Text.Json.Serialization;

namespace Karpenter.Orleans.Abstractions;

/// <summary>A spend ceiling in dollars per hour; an explicit null removes it (the field may not be left out, so a misspelt body never removes a cap).</summary>
public sealed record SpendCapRequest([property: JsonRequired] double? PricePerHour);
