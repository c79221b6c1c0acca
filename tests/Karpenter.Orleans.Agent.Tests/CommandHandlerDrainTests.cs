using k8s;
using k8s.Models;
using Karpenter.Orleans.Abstractions;
using static Karpenter.Orleans.Agent.Tests.AgentCluster;
using static Karpenter.Orleans.Agent.Tests.CommandHandlerTests;

namespace Karpenter.Orleans.Agent.Tests;

/// <summary>The drain of issue 11: the service asks again and again, the PodDisruptionBudget sets the pace.</summary>
public sealed class CommandHandlerDrainTests
{
    private static readonly Dictionary<string, string> Web = new() { ["app"] = "web" };

    private static async Task<List<V1Pod>> WebPodsAsync(IKubernetes client) =>
        [.. (await client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app=web")).Items];

    private static bool IsReady(V1Pod pod) => pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    [Fact]
    public async Task Repeated_evictions_drain_a_node_only_as_fast_as_a_max_unavailable_1_budget_allows()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient(Token);
        await client.CoreV1.CreateNodeAsync(Node("n1"));
        await client.CoreV1.CreateNodeAsync(Node("n2"));
        await CreateBudgetAsync(client, "web", Web, 1);
        const int replicas = 4;
        for (var i = 1; i <= replicas; i++)
        {
            await CreateReadyPodAsync(client, Pod($"web-{i}", "n1", Web));
        }

        var handler = Handler(client);
        var outcomes = new List<CommandOutcome>();
        var replacements = 0;
        var fewestReady = replicas;
        for (var round = 0; round < 50; round++)
        {
            var onNode = (await WebPodsAsync(client)).Where(p => p.Spec.NodeName == "n1").ToList();
            if (onNode.Count == 0)
            {
                break;
            }

            // The service playing naive: an EvictPod for every pod still on the node, every round.
            foreach (var pod in onNode)
            {
                var ack = await handler.HandleAsync(Command(ClusterCommandKind.EvictPod, "n1", pod.Metadata.Name), default);
                outcomes.Add(ack.Outcome);
                if (ack.Outcome == CommandOutcome.Done)
                {
                    // The in-process server counts the pods a budget selects as expected (no controller scale to
                    // ask), so the replacement must exist at once, as a ReplicaSet makes it: a pod on n2, not Ready
                    // before the next round.
                    await client.CoreV1.CreateNamespacedPodAsync(Pod($"web-r{++replacements}", "n2", Web), "default");
                }

                fewestReady = Math.Min(fewestReady, (await WebPodsAsync(client)).Count(IsReady));
            }

            foreach (var started in (await WebPodsAsync(client)).Where(p => !IsReady(p)))
            {
                await MakeReadyAsync(client, started.Metadata.Name);
            }
        }

        Assert.DoesNotContain(await WebPodsAsync(client), p => p.Spec.NodeName == "n1");
        Assert.Equal(replicas - 1, fewestReady);
        Assert.Equal(replicas, outcomes.Count(o => o == CommandOutcome.Done));
        Assert.Equal(replicas, replacements);
        Assert.Contains(CommandOutcome.Refused, outcomes);
        Assert.DoesNotContain(CommandOutcome.Failed, outcomes);
        Assert.All(Enumerable.Range(1, replicas), i => Assert.True(EvictionsOf(server, $"web-{i}") >= 1));
        Assert.DoesNotContain(server.Requests, r => r.StartsWith("DELETE /api/v1/namespaces/default/pods", StringComparison.Ordinal));
    }
}
