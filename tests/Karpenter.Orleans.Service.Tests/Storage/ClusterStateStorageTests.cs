using System.Text.Json.Nodes;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Grains.Clusters;
using Karpenter.Orleans.Storage;

namespace Karpenter.Orleans.Service.Tests.Storage;

/// <summary>The cluster's stored state gained its node classes; state stored before that reads with none, the rest unchanged.</summary>
public sealed class ClusterStateStorageTests
{
    private static readonly PlainJsonGrainStorageSerializer Serializer = new();

    [Fact]
    public void A_cluster_state_stored_before_node_classes_reads_with_none_and_keeps_its_registration_and_claims()
    {
        var stored = JsonNode.Parse(Serializer.Serialize(Sample()).ToString())!.AsObject();
        var key = stored.Select(p => p.Key).Single(k => string.Equals(k, "nodeClasses", StringComparison.OrdinalIgnoreCase));
        stored.Remove(key);

        var state = Serializer.Deserialize<ClusterState>(new BinaryData(stored.ToJsonString()));

        Assert.Empty(state.NodeClasses);
        Assert.Equal(new ClusterRegistration("old", "aws", "us-east-1", "123456789012"), state.Registration);
        Assert.Equal("i-0abc", state.Claims["default-abcde"].InstanceId);
        // A node class stored later goes into the dictionary the old state read into.
        state.NodeClasses["default"] = new NodeClassManifest("karpenter.k8s.aws/v1", "EC2NodeClass", "default", "{}");
        Assert.Single(state.NodeClasses);
    }

    [Fact]
    public void Node_classes_are_stored_as_sent_and_read_back()
    {
        var state = Sample();
        const string json = """{"apiVersion":"karpenter.k8s.aws/v1","kind":"EC2NodeClass","metadata":{"name":"default"},"spec":{"role":"KarpoNodeRole"}}""";
        state.NodeClasses["default"] = new NodeClassManifest("karpenter.k8s.aws/v1", "EC2NodeClass", "default", json);

        var read = Serializer.Deserialize<ClusterState>(Serializer.Serialize(state));

        var nodeClass = Assert.Single(read.NodeClasses).Value;
        Assert.Equal(new NodeClassManifest("karpenter.k8s.aws/v1", "EC2NodeClass", "default", json), nodeClass);
        Assert.Equal("karpenter.k8s.aws", nodeClass.Group);
    }

    private static ClusterState Sample()
    {
        var state = new ClusterState { Registration = new ClusterRegistration("old", "aws", "us-east-1", "123456789012") };
        state.Claims["default-abcde"] = new ClaimEntry { NodePool = "default", Phase = NodeClaimPhase.Launched, InstanceId = "i-0abc", CreatedAt = DateTimeOffset.UnixEpoch };
        return state;
    }
}
