using System.Text.Json.Nodes;

namespace Karpenter.Orleans.Kubernetes.ApiServer;

/// <summary>
/// One change in the store's history: the object after the change (for DELETED, its last state
/// stamped with the deletion's resourceVersion) and before it (null when it was created).
/// </summary>
internal sealed record WatchEvent(long ResourceVersion, string StorageKey, string Key, string Type, JsonObject Object, JsonObject? Previous);
