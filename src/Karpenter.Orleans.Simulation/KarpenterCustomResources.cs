using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Karpenter.Orleans.Simulation;

/// <summary>
/// The CustomResourceDefinitions of deploy/crds (NodePool, NodeClaim, EC2NodeClass), embedded in this assembly
/// so a simulated cluster installs the very schemas a real cluster gets from <c>kubectl apply -k deploy/crds</c>.
/// </summary>
internal static class KarpenterCustomResources
{
    private const string ResourcePrefix = "Karpenter.Orleans.Simulation.Crds.";

    /// <summary>The embedded CRDs, in file-name order.</summary>
    public static IReadOnlyList<V1CustomResourceDefinition> Definitions()
    {
        var assembly = typeof(KarpenterCustomResources).Assembly;
        var definitions = new List<V1CustomResourceDefinition>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            definitions.AddRange(KubernetesYaml.LoadAllFromString(reader.ReadToEnd()).OfType<V1CustomResourceDefinition>());
        }

        return definitions;
    }

    /// <summary>Creates each CRD the API server does not have yet; existing ones are left as they are.</summary>
    public static async Task InstallAsync(IKubernetes kubernetes, CancellationToken cancellationToken)
    {
        foreach (var definition in Definitions())
        {
            try
            {
                await kubernetes.ApiextensionsV1.CreateCustomResourceDefinitionAsync(definition, cancellationToken: cancellationToken);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
                // Installed already (by an earlier run or by kubectl).
            }
        }
    }
}
