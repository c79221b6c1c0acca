using k8s.Models;
using Karpenter.Orleans.Scheduling.Resources;
using YamlDotNet.RepresentationModel;

namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>
/// Runs <see cref="ResourceValidation"/> (the check the cluster grain runs on agent objects too) on a
/// document's object and turns a refused quantity into a located error: the field, its line and the
/// value as written.
/// </summary>
internal static class ResourceChecks
{
    /// <summary>Container and init-container requests/limits, pod overhead and pod-level resources of a pod spec.</summary>
    public static void CheckPodSpec(ManifestDocument doc, V1PodSpec? spec, string path) =>
        Throw(doc, ResourceValidation.PodSpec(spec, path));

    /// <summary>A Node's status.allocatable and status.capacity.</summary>
    public static void CheckNodeStatus(ManifestDocument doc, V1NodeStatus? status) =>
        Throw(doc, ResourceValidation.NodeStatus(status));

    private static void Throw(ManifestDocument doc, QuantityProblem? problem)
    {
        if (problem is null)
        {
            return;
        }

        if (Find(doc.Root, problem.Field) is YamlScalarNode { Value: { } written } scalar)
        {
            throw doc.Error(problem.Field, $"line {scalar.Start.Line}: \"{written}\" {problem.Problem}");
        }

        throw doc.Error(problem.Field, problem.Value.Length == 0 ? problem.Problem : $"\"{problem.Value}\" {problem.Problem}");
    }

    /// <summary>
    /// The node at a field path such as <c>spec.containers[0].resources.limits.nvidia.com/gpu</c>. Keys may
    /// hold dots (resource names do), so each step takes the key the rest of the path starts with.
    /// </summary>
    private static YamlNode? Find(YamlNode? node, string path)
    {
        while (path.Length > 0)
        {
            if (path[0] == '[' && node is YamlSequenceNode list)
            {
                var close = path.IndexOf(']', StringComparison.Ordinal);
                if (close < 0 || !int.TryParse(path.AsSpan(1, close - 1), out var i) || i < 0 || i >= list.Children.Count)
                {
                    return null;
                }

                node = list.Children[i];
                path = path[(close + 1)..].TrimStart('.');
                continue;
            }

            if (node is not YamlMappingNode map)
            {
                return null;
            }

            var next = YamlFields.Entries(map)
                .Select(e => (Key: (e.Key as YamlScalarNode)?.Value ?? "", e.Value))
                .Where(e => e.Key.Length > 0 && path.StartsWith(e.Key, StringComparison.Ordinal) &&
                            (path.Length == e.Key.Length || path[e.Key.Length] is '.' or '['))
                .OrderByDescending(e => e.Key.Length)
                .FirstOrDefault();
            if (next.Value is null)
            {
                return null;
            }

            node = next.Value;
            path = path[next.Key.Length..].TrimStart('.');
        }

        return node;
    }
}
