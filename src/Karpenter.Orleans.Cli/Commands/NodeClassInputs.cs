using Karpenter.Orleans.CloudProviders.Aws.NodeClasses;
using Karpenter.Orleans.Scheduling.Manifests;
using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.Cli.Commands;

/// <summary>
/// The EC2NodeClasses of simulate's input: each is validated as the AWS provider validates it, every NodePool
/// naming an EC2NodeClass must find it in the input (when the input has any EC2NodeClass at all), and what changes
/// the plan is applied: <c>spec.kubelet.maxPods</c> sets the pods a node of the NodePools using it holds.
/// </summary>
internal static class NodeClassInputs
{
    private const string Group = "karpenter.k8s.aws";

    /// <summary><paramref name="manifests"/> with the EC2NodeClasses applied to its NodePools; throws a located <see cref="ManifestException"/> on bad input.</summary>
    public static LoadedManifests Apply(LoadedManifests manifests, TextWriter stderr)
    {
        var nodeClasses = new Dictionary<string, EC2NodeClass>(StringComparer.Ordinal);
        var otherKinds = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var manifest in manifests.NodeClasses)
        {
            if (manifest.Kind != EC2NodeClass.KindName)
            {
                otherKinds[manifest.Kind] = otherKinds.GetValueOrDefault(manifest.Kind) + 1;
                continue;
            }

            nodeClasses[manifest.Name] = EC2NodeClassParser.Parse(manifest.Location, manifest.Object);
        }

        if (otherKinds.Count > 0)
        {
            stderr.WriteLine($"skipped node classes of other clouds ({string.Join(", ", otherKinds.Select(k => $"{k.Key} {k.Value}"))}): only EC2NodeClass is read");
        }

        if (nodeClasses.Count == 0)
        {
            // Nothing to check against: the NodePools' nodeClassRefs are taken on trust, as before EC2NodeClasses were read.
            return manifests;
        }

        var nodePools = new List<NodePool>(manifests.NodePools.Count);
        foreach (var pool in manifests.NodePools)
        {
            if (pool.NodeClassRef is not { Kind: EC2NodeClass.KindName, Group: Group } reference)
            {
                nodePools.Add(pool);
                continue;
            }

            if (!nodeClasses.TryGetValue(reference.Name, out var nodeClass))
            {
                var problem = $"EC2NodeClass \"{reference.Name}\" is not in the input (EC2NodeClasses given: {string.Join(", ", nodeClasses.Keys.Order(StringComparer.Ordinal))})";
                throw manifests.NodePoolLocations.TryGetValue(pool.Name, out var location)
                    ? location.Error("NodePool", pool.Name, "spec.template.spec.nodeClassRef.name", problem)
                    : new ManifestException($"NodePool {pool.Name}", null, "spec.template.spec.nodeClassRef.name", problem);
            }

            nodePools.Add(nodeClass.MaxPods is { } maxPods ? pool with { MaxPods = maxPods } : pool);
        }

        return manifests with { NodePools = nodePools };
    }
}
