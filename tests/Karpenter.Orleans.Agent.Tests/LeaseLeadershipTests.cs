using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using Karpenter.Orleans.Abstractions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Karpenter.Orleans.Agent.Tests.AgentCluster;
using static Karpenter.Orleans.Agent.Tests.CommandHandlerTests;

namespace Karpenter.Orleans.Agent.Tests;

public sealed class LeaseLeadershipTests
{
    /// <summary>The service's side of the command channel: commands stay outstanding until acknowledged.</summary>
    private sealed class CommandChannel(IEnumerable<ClusterCommand> commands)
    {
        private readonly List<ClusterCommand> _outstanding = [.. commands];
        private readonly object _gate = new();

        public ConcurrentBag<(string Leader, CommandAck Ack)> Acks { get; } = [];

        public ClusterCommand? Next()
        {
            lock (_gate)
            {
                return _outstanding.FirstOrDefault();
            }
        }

        public void Ack(string leader, CommandAck ack)
        {
            lock (_gate)
            {
                _outstanding.RemoveAll(c => c.Id == ack.Id);
            }

            Acks.Add((leader, ack));
        }
    }

    private static LeaseLeadership Leadership(IKubernetes client, string identity) => new(
        client,
        Options.Create(new AgentOptions { LeaseNamespace = "karpo-system", LeaseName = "karpo-agent" }),
        NullLogger<LeaseLeadership>.Instance,
        Options.Create(new LeaseLeadershipOptions
        {
            Identity = identity,
            LeaseDuration = TimeSpan.FromSeconds(3),
            RenewDeadline = TimeSpan.FromSeconds(2),
            RetryPeriod = TimeSpan.FromMilliseconds(250),
        }));

    [Fact]
    public async Task Of_two_replicas_one_works_and_when_it_stops_renewing_the_other_takes_over_without_acting_twice()
    {
        await using var server = await StartAsync();
        using var clientA = server.CreateClient(Token);
        using var clientB = server.CreateClient(Token);
        await clientA.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "karpo-system" } });
        const int pods = 4;
        for (var i = 1; i <= pods; i++)
        {
            await CreateReadyPodAsync(clientA, Pod($"p{i}", "n1"));
        }

        var channel = new CommandChannel(Enumerable.Range(1, pods).Select(i => Command(ClusterCommandKind.EvictPod, "n1", $"p{i}")));
        var working = 0;
        var mostAtOnce = 0;
        var leaders = new ConcurrentQueue<string>();
        var crashed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);

        // The agent's loop, reduced: take the next outstanding command, carry it out, acknowledge it. The first
        // leader dies after carrying out its second command and before acknowledging it.
        Func<CancellationToken, Task> Work(string identity, IKubernetes client) => async token =>
        {
            mostAtOnce = Math.Max(mostAtOnce, Interlocked.Increment(ref working));
            leaders.Enqueue(identity);
            try
            {
                var handler = Handler(client);
                var handled = 0;
                while (!token.IsCancellationRequested)
                {
                    if (channel.Next() is not { } command)
                    {
                        await Task.Delay(50, token);
                        continue;
                    }

                    var ack = await handler.HandleAsync(command, token);
                    if (++handled == 2 && leaders.Count == 1)
                    {
                        crashed.TrySetResult(identity);
                        await Task.Delay(Timeout.Infinite, token);
                    }

                    channel.Ack(identity, ack);
                }
            }
            finally
            {
                Interlocked.Decrement(ref working);
            }
        };

        using var stopA = new CancellationTokenSource();
        using var stopB = new CancellationTokenSource();
        var a = Leadership(clientA, "agent-a");
        var b = Leadership(clientB, "agent-b");
        var runA = a.RunWhileLeaderAsync(Work("agent-a", clientA), stopA.Token);
        var runB = b.RunWhileLeaderAsync(Work("agent-b", clientB), stopB.Token);

        var first = await crashed.Task.WaitAsync(Patience);
        var (firstStop, firstRun, second) = first == "agent-a" ? (stopA, runA, b) : (stopB, runB, a);
        Assert.Single(leaders);
        await firstStop.CancelAsync();
        await firstRun.WaitAsync(Patience);
        await EventuallyAsync(() => Task.FromResult(channel.Next() is null), "the second leader to finish the commands");

        Assert.Equal([first, second.Identity], leaders);
        Assert.Equal(1, mostAtOnce);
        Assert.True(second.IsLeader);
        var lease = await clientA.CoordinationV1.ReadNamespacedLeaseAsync("karpo-agent", "karpo-system");
        Assert.Equal(second.Identity, lease.Spec.HolderIdentity);
        Assert.All(Enumerable.Range(1, pods), i => Assert.Equal(1, EvictionsOf(server, $"p{i}")));
        Assert.All(channel.Acks, x => Assert.Equal(CommandOutcome.Done, x.Ack.Outcome));
        // The command the first leader carried out but never acknowledged: the second answers it Done, untouched.
        var redelivered = Assert.Single(channel.Acks, x => x.Ack.Message?.Contains("already gone", StringComparison.Ordinal) == true);
        Assert.Equal(second.Identity, redelivered.Leader);
        Assert.Empty((await clientA.CoreV1.ListNamespacedPodAsync("default")).Items);

        await (first == "agent-a" ? stopB : stopA).CancelAsync();
        await (first == "agent-a" ? runB : runA).WaitAsync(Patience);
        Assert.Equal(0, working);
    }
}
