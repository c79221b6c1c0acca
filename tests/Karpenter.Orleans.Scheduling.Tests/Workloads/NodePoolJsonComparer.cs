using k8s;
using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.Scheduling.Tests.Workloads;

/// <summary>
/// Compares NodePools by their JSON form: the record's own equality compares its lists and
/// dictionaries by reference, so two freshly built but identical NodePools would differ.
/// </summary>
internal sealed class NodePoolJsonComparer : IEqualityComparer<NodePool>
{
    public static readonly NodePoolJsonComparer Instance = new();

    public bool Equals(NodePool? x, NodePool? y) =>
        string.Equals(Json(x), Json(y), StringComparison.Ordinal);

    public int GetHashCode(NodePool obj) => StringComparer.Ordinal.GetHashCode(Json(obj));

    private static string Json(NodePool? pool) => KubernetesJson.Serialize(pool);
}
