using System.Text.Json.Nodes;

namespace Karpenter.Orleans.Kubernetes.ApiServer;

/// <summary>One page of a list: its items, the resourceVersion it was read at, the continue token.</summary>
internal sealed record ListResult(IReadOnlyList<JsonObject> Items, long ResourceVersion, string? Continue, int? RemainingItemCount);
