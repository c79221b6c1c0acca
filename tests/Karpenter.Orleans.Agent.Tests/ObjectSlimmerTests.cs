using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Agent.Kubernetes;

namespace Karpenter.Orleans.Agent.Tests;

public sealed class ObjectSlimmerTests
{
    private static JsonObject Json(object value) => JsonNode.Parse(KubernetesJson.Serialize(value))!.AsObject();

    [Fact]
    public void A_pod_keeps_what_scheduling_reads_and_loses_managed_fields_env_and_conditions()
    {
        var pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = "web-1",
                NamespaceProperty = "shop",
                ResourceVersion = "42",
                Labels = new Dictionary<string, string> { ["app"] = "web" },
                Annotations = new Dictionary<string, string> { ["karpenter.sh/do-not-disrupt"] = "true", ["kubectl.kubernetes.io/last-applied-configuration"] = "{...}" },
                ManagedFields = [new V1ManagedFieldsEntry { Manager = "kubectl", Operation = "Apply" }],
            },
            Spec = new V1PodSpec
            {
                NodeSelector = new Dictionary<string, string> { ["kubernetes.io/arch"] = "arm64" },
                Containers =
                [
                    new V1Container
                    {
                        Name = "app",
                        Image = "web:1",
                        Env = [new V1EnvVar { Name = "A", Value = "b" }],
                        Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("250m") } },
                        Ports = [new V1ContainerPort { ContainerPort = 80 }, new V1ContainerPort { ContainerPort = 9100, HostPort = 9100 }],
                    },
                ],
                Volumes = [new V1Volume { Name = "data", EmptyDir = new V1EmptyDirVolumeSource() }],
            },
            Status = new V1PodStatus { Phase = "Pending", Conditions = [new V1PodCondition { Type = "PodScheduled", Status = "False" }] },
        };

        var slim = KubernetesJson.Deserialize<V1Pod>(ObjectSlimmer.Slim(ObjectKind.Pod, Json(pod)).ToJsonString());

        Assert.Equal(("web-1", "shop"), (slim.Metadata.Name, slim.Metadata.NamespaceProperty));
        Assert.Equal(new Dictionary<string, string> { ["karpenter.sh/do-not-disrupt"] = "true" }, slim.Metadata.Annotations);
        Assert.Null(slim.Metadata.ManagedFields);
        Assert.Null(slim.Metadata.ResourceVersion);
        Assert.Equal("arm64", slim.Spec.NodeSelector["kubernetes.io/arch"]);
        var container = Assert.Single(slim.Spec.Containers);
        Assert.Equal(new ResourceQuantity("250m"), container.Resources.Requests["cpu"]);
        Assert.Equal([9100], container.Ports.Select(p => p.HostPort ?? 0));
        Assert.Null(container.Env);
        Assert.Null(slim.Spec.Volumes);
        Assert.Equal("Pending", slim.Status.Phase);
        Assert.Null(slim.Status.Conditions);
    }

    [Fact]
    public void A_node_heartbeat_does_not_change_the_slim_node_but_readiness_does()
    {
        V1Node Node(DateTime heartbeat, string ready) => new()
        {
            Metadata = new V1ObjectMeta { Name = "n1", Labels = new Dictionary<string, string> { ["karpenter.sh/nodepool"] = "general" } },
            Spec = new V1NodeSpec { ProviderID = "aws:///us-east-1a/i-1" },
            Status = new V1NodeStatus
            {
                Capacity = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("4") },
                Images = [new V1ContainerImage { Names = ["big/image:1"], SizeBytes = 1 << 30 }],
                Conditions =
                [
                    new V1NodeCondition { Type = "Ready", Status = ready, LastHeartbeatTime = heartbeat },
                    new V1NodeCondition { Type = "MemoryPressure", Status = "False", LastHeartbeatTime = heartbeat },
                ],
            },
        };
        string Slim(V1Node node) => ObjectSlimmer.Slim(ObjectKind.Node, Json(node)).ToJsonString();

        var first = Slim(Node(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), "True"));

        Assert.Equal(first, Slim(Node(new DateTime(2026, 1, 1, 0, 0, 40, DateTimeKind.Utc), "True")));
        Assert.NotEqual(first, Slim(Node(new DateTime(2026, 1, 1, 0, 0, 40, DateTimeKind.Utc), "False")));
        Assert.DoesNotContain("big/image", first, StringComparison.Ordinal);
        Assert.DoesNotContain("MemoryPressure", first, StringComparison.Ordinal);
    }

    [Fact]
    public void A_NodePool_keeps_its_spec_and_drops_the_status_the_agent_itself_writes()
    {
        var pool = JsonNode.Parse("""{"apiVersion":"karpenter.sh/v1","kind":"NodePool","metadata":{"name":"general","generation":3,"managedFields":[{}]},"spec":{"weight":5},"status":{"conditions":[{"type":"Ready"}]}}""")!.AsObject();

        var slim = ObjectSlimmer.Slim(ObjectKind.NodePool, pool).ToJsonString();

        Assert.Equal("""{"apiVersion":"karpenter.sh/v1","kind":"NodePool","metadata":{"name":"general"},"spec":{"weight":5}}""", slim);
    }
}
