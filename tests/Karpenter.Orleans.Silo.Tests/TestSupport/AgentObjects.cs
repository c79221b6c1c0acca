using System.Text.Json;
using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Silo.Tests.TestSupport;

/// <summary>The Kubernetes objects an agent reports in the API tests: small pods, and the node a launched NodeClaim's instance becomes.</summary>
public static class AgentObjects
{
    /// <summary>A 250m/256Mi pod, pending without <paramref name="nodeName"/>, running on it otherwise.</summary>
    public static string Pod(string name, string? nodeName, IReadOnlyDictionary<string, string>? annotations = null) => JsonSerializer.Serialize(new
    {
        apiVersion = "v1",
        kind = "Pod",
        metadata = new { name, @namespace = "default", uid = $"uid-{name}", annotations },
        spec = new { nodeName, containers = new[] { new { name = "app", image = "nginx", resources = new { requests = new { cpu = "250m", memory = "256Mi" } } } } },
        status = new { phase = nodeName is null ? "Pending" : "Running" },
    });

    /// <summary>The claim's node, Ready, with 2 CPUs and 8Gi allocatable and its NodePool label.</summary>
    public static string Node(NodeClaimInfo claim) => JsonSerializer.Serialize(new
    {
        apiVersion = "v1",
        kind = "Node",
        metadata = new { name = "node-" + claim.InstanceId, labels = new Dictionary<string, string> { ["karpenter.sh/nodepool"] = claim.NodePool } },
        spec = new { providerID = $"sim:///{claim.Zone}/{claim.InstanceId}" },
        status = new
        {
            allocatable = new { cpu = "2", memory = "8Gi", pods = "110" },
            conditions = new[] { new { type = "Ready", status = "True" } },
        },
    });
}
