using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Models;
using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Service.Tests.TestSupport;

/// <summary>Kubernetes objects as an agent sends them, and shortcuts to register and feed a cluster.</summary>
public static class TestObjects
{
    public const string Account = "111111111111";

    public static ClusterRegistration Registration(string cluster, string region = "us-east-1", double? spendCap = null) =>
        new(cluster, "simulated", region, Account, spendCap);

    public static string Sha256(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token))).ToLowerInvariant();

    /// <summary>A NodePool for general-purpose x86 nodes; spot and on-demand unless narrowed.</summary>
    public static string NodePool(string name = "default", string capacityTypes = "\"spot\", \"on-demand\"", string consolidateAfter = "30s", string? limitsCpu = null, string extraRequirement = "")
    {
        var limits = limitsCpu is null ? "" : "\"limits\": {\"cpu\": \"" + limitsCpu + "\"},";
        return $$$"""
        {"apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": {"name": "{{{name}}}"},
         "spec": {
           "template": {"spec": {
             "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "default"},
             "requirements": [
               {"key": "kubernetes.io/arch", "operator": "In", "values": ["amd64"]},
               {"key": "karpenter.sh/capacity-type", "operator": "In", "values": [{{{capacityTypes}}}]},
               {"key": "karpenter.k8s.aws/instance-category", "operator": "In", "values": ["c", "m", "r"]}{{{extraRequirement}}}
             ]}},
           {{{limits}}}
           "disruption": {"consolidationPolicy": "WhenEmpty", "consolidateAfter": "{{{consolidateAfter}}}"}
         }}
        """;
    }

    public static V1Pod Pod(string name, string cpu = "500m", string memory = "1Gi", string ns = "default", IDictionary<string, string>? nodeSelector = null, string? nodeName = null) => new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = new Dictionary<string, string> { ["app"] = name.Split('-')[0] }, CreationTimestamp = DateTime.UtcNow },
        Spec = new V1PodSpec
        {
            NodeName = nodeName,
            NodeSelector = nodeSelector,
            Containers = [new V1Container { Name = "main", Image = "app", Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu), ["memory"] = new(memory) } } }],
        },
        Status = new V1PodStatus { Phase = "Pending" },
    };

    public static ClusterObject Object(V1Pod pod) => new(ObjectKind.Pod, KubernetesJson.Serialize(pod));

    public static ClusterObject Object(V1Node node) => new(ObjectKind.Node, KubernetesJson.Serialize(node));

    public static ObjectDelta Upsert(long sequence, V1Pod pod) =>
        new(sequence, DeltaType.Upsert, ObjectKind.Pod, pod.Metadata.NamespaceProperty, pod.Metadata.Name, KubernetesJson.Serialize(pod));

    public static ObjectDelta Upsert(long sequence, V1Node node) =>
        new(sequence, DeltaType.Upsert, ObjectKind.Node, null, node.Metadata.Name, KubernetesJson.Serialize(node));

    /// <summary>Registers the cluster through the fleet and sends a snapshot of a NodePool and <paramref name="pods"/>.</summary>
    public static async Task<IClusterGrain> RegisterAsync(IGrainFactory grains, string cluster, IEnumerable<V1Pod> pods, string? nodePool = null, string region = "us-east-1", double? spendCap = null)
    {
        await grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey).RegisterClusterAsync(Registration(cluster, region, spendCap), Sha256("token-" + cluster));
        var grain = grains.GetGrain<IClusterGrain>(cluster);
        var objects = new List<ClusterObject> { new(ObjectKind.NodePool, nodePool ?? NodePool()) };
        objects.AddRange(pods.Select(Object));
        var result = await grain.ResyncAsync(new ClusterSnapshot("session-1", 0, objects));
        Assert.Empty(result.Errors);
        return grain;
    }

    /// <summary>A node for a launched NodeClaim, the way the kubelet registers it (providerID, Ready).</summary>
    public static V1Node NodeFor(NodeClaimInfo claim, bool ready = true) => new()
    {
        ApiVersion = "v1",
        Kind = "Node",
        Metadata = new V1ObjectMeta
        {
            Name = "node-" + claim.InstanceId,
            Labels = new Dictionary<string, string>
            {
                ["karpenter.sh/nodepool"] = claim.NodePool,
                ["node.kubernetes.io/instance-type"] = claim.InstanceType!,
                ["topology.kubernetes.io/zone"] = claim.Zone!,
                ["karpenter.sh/capacity-type"] = claim.CapacityType!,
                ["kubernetes.io/hostname"] = "node-" + claim.InstanceId,
                ["kubernetes.io/arch"] = "amd64",
            },
        },
        Spec = new V1NodeSpec { ProviderID = $"sim:///{claim.Zone}/{claim.InstanceId}" },
        Status = new V1NodeStatus
        {
            Allocatable = new Dictionary<string, ResourceQuantity> { ["cpu"] = new((claim.CapacityMilliCpu / 1000.0).ToString(System.Globalization.CultureInfo.InvariantCulture)), ["memory"] = new(claim.CapacityMemory.ToString(System.Globalization.CultureInfo.InvariantCulture)), ["pods"] = new("110") },
            Conditions = [new V1NodeCondition { Type = "Ready", Status = ready ? "True" : "False" }],
        },
    };

    public static IEnumerable<V1Pod> Pods(string prefix, int count, string cpu = "500m", string memory = "1Gi") =>
        Enumerable.Range(0, count).Select(i => Pod($"{prefix}-{i}", cpu, memory));
}
