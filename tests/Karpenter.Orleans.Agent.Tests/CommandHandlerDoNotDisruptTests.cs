using k8s;
using k8s.Models;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Scheduling.Termination;
using static Karpenter.Orleans.Agent.Tests.AgentCluster;
using static Karpenter.Orleans.Agent.Tests.CommandHandlerTests;

namespace Karpenter.Orleans.Agent.Tests;

/// <summary>
/// Which pods a voluntary drain evicts is the service's decision (<see cref="EvictionOrder.Decide"/>, unit-tested in
/// Scheduling.Tests/Termination); here the service's own planner drives the agent against an API server.
/// </summary>
public sealed class CommandHandlerDoNotDisruptTests
{
    [Fact]
    public async Task A_voluntary_drain_planned_by_the_service_never_evicts_a_do_not_disrupt_pod()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient(Token);
        await client.CoreV1.CreateNodeAsync(Node("n1"));
        var web = new Dictionary<string, string> { ["app"] = "web" };
        await CreateBudgetAsync(client, "web", web, 1);
        await CreateReadyPodAsync(client, Pod("web-1", "n1", web));
        await CreateReadyPodAsync(client, Pod("web-2", "n1", web));
        await CreateReadyPodAsync(client, Pod("web-3", "n2", web));
        await CreateReadyPodAsync(client, Pod("batch-1", "n1", annotations: new Dictionary<string, string> { ["karpenter.sh/do-not-disrupt"] = "true" }));
        var handler = Handler(client);

        DrainDecision decision;
        var rounds = 0;
        do
        {
            var pods = (await client.CoreV1.ListNamespacedPodAsync("default")).Items.ToList();
            var pdbs = (await client.PolicyV1.ListNamespacedPodDisruptionBudgetAsync("default")).Items.ToList();
            decision = EvictionOrder.Decide(new DrainInput
            {
                Pods = [.. pods.Where(p => p.Spec.NodeName == "n1")],
                PodDisruptionBudgets = pdbs,
                Budgets = EvictionOrder.Budgets(pdbs, pods, new HashSet<string>(StringComparer.Ordinal)),
                Now = DateTimeOffset.UtcNow,
            });
            foreach (var pod in decision.Evict)
            {
                var ack = await handler.HandleAsync(Command(ClusterCommandKind.EvictPod, "n1", pod.Metadata.Name), default);
                Assert.Equal(CommandOutcome.Done, ack.Outcome);
            }
        }
        while (decision.Evict.Count > 0 && ++rounds < 20);

        var left = (await client.CoreV1.ListNamespacedPodAsync("default")).Items.Where(p => p.Spec.NodeName == "n1").Select(p => p.Metadata.Name);
        Assert.Equal(["batch-1"], left);
        Assert.Equal(0, EvictionsOf(server, "batch-1"));
        Assert.Equal(1, EvictionsOf(server, "web-1"));
        Assert.Equal(1, EvictionsOf(server, "web-2"));
        Assert.Contains("do-not-disrupt", Assert.Single(decision.Waiting).Reason, StringComparison.Ordinal);
        Assert.False(decision.Drained);
    }
}
