using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using k8s.Models;
using static Karpenter.Orleans.Kubernetes.ApiServer.Tests.ApiServerFixture;

namespace Karpenter.Orleans.Kubernetes.ApiServer.Tests;

public sealed class LeaseTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task LeasesAreCreatedAndRenewedWithOptimisticConcurrency()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        var lease = await client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = "karpo-agent" },
            Spec = new V1LeaseSpec { HolderIdentity = "a", LeaseDurationSeconds = 15, RenewTime = DateTime.UtcNow },
        }, "kube-system");

        lease.Spec.RenewTime = DateTime.UtcNow;
        var renewed = await client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, "karpo-agent", "kube-system");
        lease.Spec.HolderIdentity = "b";
        await FailsWithAsync(System.Net.HttpStatusCode.Conflict, () => client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, "karpo-agent", "kube-system"));

        Assert.Equal("a", renewed.Spec.HolderIdentity);
    }

    [Fact]
    public async Task KubernetesClientsLeaderElectorElectsOneAndTheOtherTakesOverWhenItStops()
    {
        await using var server = await StartAsync();
        using var clientA = server.CreateClient();
        using var clientB = server.CreateClient();
        LeaderElectionConfig Config(k8s.Kubernetes client, string identity) => new(new LeaseLock(client, "kube-system", "karpo-agent", identity))
        {
            LeaseDuration = TimeSpan.FromSeconds(2),
            RenewDeadline = TimeSpan.FromSeconds(1),
            RetryPeriod = TimeSpan.FromMilliseconds(200),
        };
        using var a = new LeaderElector(Config(clientA, "agent-a"));
        using var b = new LeaderElector(Config(clientB, "agent-b"));
        var aLeads = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bSawA = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bLeads = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        a.OnStartedLeading += () => aLeads.TrySetResult();
        b.OnNewLeader += leader =>
        {
            if (leader == "agent-a")
            {
                bSawA.TrySetResult();
            }
        };
        b.OnStartedLeading += () => bLeads.TrySetResult();
        using var stopA = new CancellationTokenSource();
        using var stopB = new CancellationTokenSource();

        var runA = a.RunUntilLeadershipLostAsync(stopA.Token);
        await aLeads.Task.WaitAsync(Guard);
        var runB = b.RunUntilLeadershipLostAsync(stopB.Token);
        await bSawA.Task.WaitAsync(Guard);
        Assert.False(bLeads.Task.IsCompleted);
        await stopA.CancelAsync();
        await bLeads.Task.WaitAsync(Guard);

        var lease = await clientA.CoordinationV1.ReadNamespacedLeaseAsync("karpo-agent", "kube-system");
        Assert.Equal("agent-b", lease.Spec.HolderIdentity);
        await stopB.CancelAsync();
        await Task.WhenAll(runA, runB).ContinueWith(_ => { }, TaskScheduler.Default);
    }
}
