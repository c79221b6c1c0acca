using Karpenter.Orleans.CloudProviders.Aws.NodeClasses;
using Karpenter.Orleans.Scheduling.Manifests;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Cli.Commands;

/// <summary>
/// The EC2NodeClasses of simulate's input: each is validated as the AWS provider validates it, every NodePool
/// naming an EC2NodeClass must find it in the input (when the input has any EC2NodeClass at all), and what changes
/// the plan is applied: <c>spec.kubelet</c> (maxPods, podsPerCore, kubeReserved, systemReserved) sizes each
/// catalog type for the NodePools using it (<see cref="NodePool.AllocatableByType"/>), by the AWS provider's own
/// arithmetic (<see cref="Ec2CatalogAllocatable"/>). A type whose catalog entry lacks a fact that arithmetic needs
/// keeps its published allocatable with maxPods, and a warning names the fields not applied to it.
/// </summary>
internal static class NodeClassInputs
{
    private const string Group = "karpenter.k8s.aws";

    /// <summary><paramref name="manifests"/> with the EC2NodeClasses applied to its NodePools; throws a located <see cref="ManifestException"/> on bad input.</summary>
    public static LoadedManifests Apply(LoadedManifests manifests, InstanceTypeCatalog catalog, TextWriter stderr)
    {
        var nodeClasses = new Dictionary<string, EC2NodeClass>(StringComparer.Ordinal);
        var locations = new Dictionary<string, ManifestLocation>(StringComparer.Ordinal);
        var otherKinds = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var manifest in manifests.NodeClasses)
        {
            if (manifest.Kind != EC2NodeClass.KindName)
            {
                otherKinds[manifest.Kind] = otherKinds.GetValueOrDefault(manifest.Kind) + 1;
                continue;
            }

            nodeClasses[manifest.Name] = EC2NodeClassParser.Parse(manifest.Location, manifest.Object);
            locations[manifest.Name] = manifest.Location;
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

        var byClass = new Dictionary<string, IReadOnlyDictionary<string, ResourceVector>?>(StringComparer.Ordinal);
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

            if (!byClass.TryGetValue(reference.Name, out var allocatable))
            {
                allocatable = byClass[reference.Name] = AllocatableByType(nodeClass, locations[reference.Name], catalog, stderr);
            }

            var sized = allocatable is null ? pool : pool with { AllocatableByType = allocatable };
            nodePools.Add(nodeClass.MaxPods is { } maxPods ? sized with { MaxPods = maxPods } : sized);
        }

        return manifests with { NodePools = nodePools };
    }

    /// <summary>
    /// Each catalog type's allocatable under the node class's kubelet settings, as the service's ApplyNodeClass
    /// gives it; null when the settings are Karpenter's defaults.
    /// </summary>
    private static Dictionary<string, ResourceVector>? AllocatableByType(EC2NodeClass nodeClass, ManifestLocation location, InstanceTypeCatalog catalog, TextWriter stderr)
    {
        var kubelet = Ec2KubeletSettings.From(nodeClass.Kubelet);
        if (kubelet.IsDefault)
        {
            return null;
        }

        var byType = new Dictionary<string, ResourceVector>(StringComparer.Ordinal);
        var lacking = new List<string>();
        foreach (var type in catalog.InstanceTypes)
        {
            if (Ec2CatalogAllocatable.Allocatable(type, kubelet) is { } allocatable)
            {
                byType[type.Name] = allocatable;
            }
            else
            {
                lacking.Add(type.Name);
            }
        }

        // maxPods alone still holds for such types (NodePool.MaxPods); the rest needs the type's vCPUs and memory.
        var fields = new List<string>();
        if (kubelet.PodsPerCore is > 0)
        {
            fields.Add("spec.kubelet.podsPerCore");
        }

        if (kubelet.KubeReservedMilliCpu is not null || kubelet.KubeReservedMemory is not null || kubelet.KubeReservedEphemeralStorage is not null)
        {
            fields.Add("spec.kubelet.kubeReserved");
        }

        if (!kubelet.SystemReserved.IsZero)
        {
            fields.Add("spec.kubelet.systemReserved");
        }

        if (lacking.Count > 0 && fields.Count > 0)
        {
            var names = string.Join(", ", lacking.Take(5)) + (lacking.Count > 5 ? $" and {lacking.Count - 5} more" : "");
            var problem = $"not applied to {lacking.Count} instance types ({names}): the catalog lacks their karpenter.k8s.aws/instance-cpu, karpenter.k8s.aws/instance-memory or kubernetes.io/arch label";
            stderr.WriteLine($"warning: {location.Error(EC2NodeClass.KindName, nodeClass.Name, string.Join(", ", fields), problem).Message}");
        }

        return byType.Count == 0 ? null : byType;
    }
}
