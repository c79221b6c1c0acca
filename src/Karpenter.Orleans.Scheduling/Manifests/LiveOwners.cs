using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>
/// Which workloads of a cluster dump (<c>kubectl get all -o yaml</c>) already have their pods in the input, by
/// <c>metadata.uid</c> and the pods' controller <c>ownerReferences</c>: such a workload makes only the replicas it
/// is missing, and a ReplicaSet of a Deployment in the input is read through its Deployment, so no pod is counted
/// twice. Hand-written manifests carry no uids and are not affected.
/// </summary>
internal sealed class LiveOwners
{
    private static readonly HashSet<string> Workloads = new(StringComparer.Ordinal) { "Deployment", "ReplicaSet", "StatefulSet", "Job" };

    private readonly Dictionary<string, int> _livePods = new(StringComparer.Ordinal);
    private readonly HashSet<string> _replicaSetsOfDeployments = new(StringComparer.Ordinal);
    private readonly HashSet<string> _podNames = new(StringComparer.Ordinal);

    public static LiveOwners Of(IReadOnlyList<ManifestDocument> documents)
    {
        var owners = new LiveOwners();
        var deployments = new HashSet<string>(StringComparer.Ordinal);
        var replicaSetOwner = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var doc in documents)
        {
            if (doc.Kind is { } kind && Workloads.Contains(kind) && Uid(doc) is { } uid)
            {
                if (kind == "Deployment")
                {
                    deployments.Add(uid);
                }
                else if (kind == "ReplicaSet" && Controller(doc) is { } owner)
                {
                    replicaSetOwner[uid] = owner;
                }
            }
        }

        foreach (var (replicaSet, deployment) in replicaSetOwner)
        {
            if (deployments.Contains(deployment))
            {
                owners._replicaSetsOfDeployments.Add(replicaSet);
            }
        }

        foreach (var doc in documents)
        {
            if (doc.Kind == "Pod" && doc.Name is { } name)
            {
                var ns = (doc.PreRead ? Metadata(doc)?.NamespaceProperty : YamlFields.ScalarOrNull(YamlFields.At(doc.Root, "metadata", "namespace"))) ?? "default";
                owners._podNames.Add($"{ns}/{name}");
            }

            if (doc.Kind != "Pod" || Controller(doc) is not { } owner || Phase(doc) is "Succeeded" or "Failed")
            {
                continue;
            }

            owners.Count(owner);
            if (replicaSetOwner.TryGetValue(owner, out var deployment) && deployments.Contains(deployment))
            {
                owners.Count(deployment);
            }
        }

        return owners;
    }

    /// <summary>Pods in the input (not finished) whose controller is the workload with <paramref name="uid"/>.</summary>
    public int LivePods(string? uid) => uid is null ? 0 : _livePods.GetValueOrDefault(uid);

    /// <summary>True for a ReplicaSet whose Deployment is in the input too.</summary>
    public bool IsReadThroughItsDeployment(string? replicaSetUid) => replicaSetUid is not null && _replicaSetsOfDeployments.Contains(replicaSetUid);

    /// <summary>True when the input has a Pod named <paramref name="key"/> (namespace/name).</summary>
    public bool HasPod(string key) => _podNames.Contains(key);

    private void Count(string owner) => _livePods[owner] = _livePods.GetValueOrDefault(owner) + 1;

    // A pre-read object is asked through its model, a tree through its fields; both say the same of the same input.
    private static V1ObjectMeta? Metadata(ManifestDocument doc) => (doc.Value as IMetadata<V1ObjectMeta>)?.Metadata;

    private static string? Uid(ManifestDocument doc) =>
        doc.PreRead ? Metadata(doc)?.Uid : YamlFields.ScalarOrNull(YamlFields.At(doc.Root, "metadata", "uid"));

    private static string? Phase(ManifestDocument doc) =>
        doc.PreRead ? (doc.Value as V1Pod)?.Status?.Phase : YamlFields.ScalarOrNull(YamlFields.At(doc.Root, "status", "phase"));

    private static string? Controller(ManifestDocument doc)
    {
        if (doc.PreRead)
        {
            return Metadata(doc)?.OwnerReferences?.FirstOrDefault(o => o.Controller == true && o.Uid is not null)?.Uid;
        }

        if (YamlFields.At(doc.Root, "metadata", "ownerReferences") is not YamlSequenceNode references)
        {
            return null;
        }

        foreach (var reference in references.Children.OfType<YamlMappingNode>())
        {
            if (YamlFields.ScalarOrNull(YamlFields.Get(reference, "controller")) is "true" or "True"
                && YamlFields.ScalarOrNull(YamlFields.Get(reference, "uid")) is { } uid)
            {
                return uid;
            }
        }

        return null;
    }
}
