using k8s.Models;
using Karpenter.Orleans.Abstractions;
using static Karpenter.Orleans.Service.Tests.TestSupport.TestObjects;

namespace Karpenter.Orleans.Service.Tests.Termination;

/// <summary>
/// Plays a cluster's agent by hand against a cluster grain: sends deltas in sequence, reads the service's
/// commands and acknowledges them, so a test decides exactly what the cluster did and when.
/// </summary>
internal sealed class TestAgent(IClusterGrain cluster, string session = "session-1", long sequence = 0)
{
    private long _sequence = sequence;

    public IClusterGrain Cluster { get; } = cluster;

    /// <summary>Registers the cluster, provisions one NodeClaim for <paramref name="pods"/>, lets its node join Ready and binds the pods there.</summary>
    public static async Task<(TestAgent Agent, NodeClaimInfo Claim, V1Node Node)> NodeWithPodsAsync(IGrainFactory grains, string clusterId, IReadOnlyList<V1Pod> pods, string? nodePool = null)
    {
        var cluster = await RegisterAsync(grains, clusterId, pods, nodePool);
        await cluster.ProvisionAsync();
        var claim = Assert.Single(await cluster.GetNodeClaimsAsync());
        var agent = new TestAgent(cluster);
        var node = NodeFor(claim);
        await agent.SendAsync(node);
        foreach (var pod in pods)
        {
            Bind(pod, node);
        }

        await agent.SendAsync([.. pods]);
        return (agent, Assert.Single(await cluster.GetNodeClaimsAsync()), node);
    }

    public static void Bind(V1Pod pod, V1Node node)
    {
        pod.Spec.NodeName = node.Metadata.Name;
        pod.Status = new V1PodStatus { Phase = "Running" };
    }

    public async Task SendAsync(V1Node node) => await ApplyAsync([Upsert(++_sequence, node)]);

    public async Task SendAsync(params V1Pod[] pods) => await ApplyAsync(pods.Select(p => Upsert(++_sequence, p)).ToList());

    public async Task SendAsync(V1PodDisruptionBudget pdb) =>
        await ApplyAsync([new ObjectDelta(++_sequence, DeltaType.Upsert, ObjectKind.PodDisruptionBudget, pdb.Metadata.NamespaceProperty, pdb.Metadata.Name, k8s.KubernetesJson.Serialize(pdb))]);

    public async Task DeletePodAsync(V1Pod pod) =>
        await ApplyAsync([new ObjectDelta(++_sequence, DeltaType.Delete, ObjectKind.Pod, pod.Metadata.NamespaceProperty, pod.Metadata.Name)]);

    public async Task DeleteNodeAsync(V1Node node) =>
        await ApplyAsync([new ObjectDelta(++_sequence, DeltaType.Delete, ObjectKind.Node, null, node.Metadata.Name)]);

    public async Task<IReadOnlyList<ClusterCommand>> CommandsAsync() => await Cluster.GetCommandsAsync();

    public async Task<CommandAckResult> AckAsync(IEnumerable<ClusterCommand> commands, CommandOutcome outcome, string? message = null) =>
        await Cluster.AcknowledgeCommandsAsync(commands.Select(c => new CommandAck(c.Id, outcome, message)).ToList());

    public async Task<NodeClaimPhase> PhaseAsync(string claim) =>
        (await Cluster.GetNodeClaimsAsync()).Single(c => c.Name == claim).Phase;

    private async Task ApplyAsync(IReadOnlyList<ObjectDelta> deltas)
    {
        var result = await Cluster.ApplyDeltasAsync(new DeltaBatch(session, deltas));
        Assert.Empty(result.Errors);
        Assert.False(result.ResyncRequired);
    }
}
