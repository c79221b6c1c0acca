using System.Net;
using k8s;
using k8s.Models;
using static Karpenter.Orleans.Kubernetes.ApiServer.Tests.ApiServerFixture;

namespace Karpenter.Orleans.Kubernetes.ApiServer.Tests;

public sealed class EvictionTests
{
    private static readonly Dictionary<string, string> Web = new() { ["app"] = "web" };

    private static V1Eviction Eviction(string pod) => new() { Metadata = new V1ObjectMeta { Name = pod, NamespaceProperty = "default" } };

    private static async Task<k8s.Kubernetes> ThreeReadyPodsUnderABudgetAsync(KubeApiServer server, IntOrString minAvailable)
    {
        var client = server.CreateClient();
        await client.PolicyV1.CreateNamespacedPodDisruptionBudgetAsync(new V1PodDisruptionBudget
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1PodDisruptionBudgetSpec { MinAvailable = minAvailable, Selector = new V1LabelSelector { MatchLabels = Web } },
        }, "default");
        foreach (var name in new[] { "web-1", "web-2", "web-3" })
        {
            await client.CoreV1.CreateNamespacedPodAsync(Pod(name, labels: Web, nodeName: "n1"), "default");
            await MakeReadyAsync(client, name);
        }

        return client;
    }

    [Fact]
    public async Task AnEvictionThatWouldBreakTheBudgetIs429UntilAnotherPodIsReady()
    {
        await using var server = await StartAsync();
        using var client = await ThreeReadyPodsUnderABudgetAsync(server, 2);

        await client.CoreV1.CreateNamespacedPodEvictionAsync(Eviction("web-1"), "web-1", "default");
        var blocked = await FailsWithAsync(HttpStatusCode.TooManyRequests, () => client.CoreV1.CreateNamespacedPodEvictionAsync(Eviction("web-2"), "web-2", "default"));
        var budget = await client.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync("web", "default");
        await client.CoreV1.CreateNamespacedPodAsync(Pod("web-4", labels: Web, nodeName: "n2"), "default");
        await MakeReadyAsync(client, "web-4");
        await client.CoreV1.CreateNamespacedPodEvictionAsync(Eviction("web-2"), "web-2", "default");

        Assert.Equal("TooManyRequests", blocked.Reason);
        Assert.Equal("Cannot evict pod as it would violate the pod's disruption budget.", blocked.Message);
        var cause = Assert.Single(blocked.Details.Causes);
        Assert.Equal("DisruptionBudget", cause.Reason);
        Assert.Equal("The disruption budget web needs 2 healthy pods and has 2 currently", cause.Message);
        Assert.Equal(0, budget.Status.DisruptionsAllowed);
        Assert.Equal(2, budget.Status.CurrentHealthy);
        Assert.Equal(["web-3", "web-4"], (await client.CoreV1.ListNamespacedPodAsync("default")).Items.Select(p => p.Metadata.Name));
    }

    [Fact]
    public async Task APercentageBudgetRoundsUpAndTheStatusFollowsThePods()
    {
        await using var server = await StartAsync();
        using var client = await ThreeReadyPodsUnderABudgetAsync(server, "50%");

        var budget = await client.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync("web", "default");

        Assert.Equal(3, budget.Status.ExpectedPods);
        Assert.Equal(2, budget.Status.DesiredHealthy);
        Assert.Equal(1, budget.Status.DisruptionsAllowed);
        Assert.Contains(budget.Status.Conditions, c => c.Type == "DisruptionAllowed" && c.Status == "True");
    }

    [Fact]
    public async Task APodNoBudgetSelectsOrThatIsPendingIsEvictedAtOnce()
    {
        await using var server = await StartAsync();
        using var client = await ThreeReadyPodsUnderABudgetAsync(server, 3);
        await client.CoreV1.CreateNamespacedPodAsync(Pod("lonely", nodeName: "n1"), "default");
        await MakeReadyAsync(client, "lonely");
        await client.CoreV1.CreateNamespacedPodAsync(Pod("web-pending", labels: Web), "default");

        await client.CoreV1.CreateNamespacedPodEvictionAsync(Eviction("lonely"), "lonely", "default");
        await client.CoreV1.CreateNamespacedPodEvictionAsync(Eviction("web-pending"), "web-pending", "default");
        var blocked = await FailsWithAsync(HttpStatusCode.TooManyRequests, () => client.CoreV1.CreateNamespacedPodEvictionAsync(Eviction("web-1"), "web-1", "default"));

        Assert.Equal(["web-1", "web-2", "web-3"], (await client.CoreV1.ListNamespacedPodAsync("default")).Items.Select(p => p.Metadata.Name));
        Assert.Equal("TooManyRequests", blocked.Reason);
    }

    [Fact]
    public async Task EvictingAMissingPodIsNotFound()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();

        var status = await FailsWithAsync(HttpStatusCode.NotFound, () => client.CoreV1.CreateNamespacedPodEvictionAsync(Eviction("ghost"), "ghost", "default"));

        Assert.Equal("pods \"ghost\" not found", status.Message);
    }

    [Fact]
    public async Task TwoBudgetsOnOnePodAreRefusedAsUpstreamDoes()
    {
        await using var server = await StartAsync();
        using var client = await ThreeReadyPodsUnderABudgetAsync(server, 1);
        await client.PolicyV1.CreateNamespacedPodDisruptionBudgetAsync(new V1PodDisruptionBudget
        {
            Metadata = new V1ObjectMeta { Name = "web-too" },
            Spec = new V1PodDisruptionBudgetSpec { MaxUnavailable = 1, Selector = new V1LabelSelector { MatchLabels = Web } },
        }, "default");

        var status = await FailsWithAsync(HttpStatusCode.InternalServerError, () => client.CoreV1.CreateNamespacedPodEvictionAsync(Eviction("web-1"), "web-1", "default"));

        Assert.Contains("more than one PodDisruptionBudget", status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithGracefulDeletionAnEvictedPodTerminatesUntilItsKubeletRemovesIt()
    {
        await using var server = await StartAsync(gracefulPodDeletion: true);
        using var client = await ThreeReadyPodsUnderABudgetAsync(server, 2);

        await client.CoreV1.CreateNamespacedPodEvictionAsync(Eviction("web-1"), "web-1", "default");
        var terminating = await client.CoreV1.ReadNamespacedPodAsync("web-1", "default");
        var budget = await client.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync("web", "default");
        // The terminating pod no longer counts as healthy, so the next eviction is refused.
        await FailsWithAsync(HttpStatusCode.TooManyRequests, () => client.CoreV1.CreateNamespacedPodEvictionAsync(Eviction("web-2"), "web-2", "default"));
        await client.CoreV1.DeleteNamespacedPodAsync("web-1", "default", gracePeriodSeconds: 0);

        Assert.NotNull(terminating.Metadata.DeletionTimestamp);
        Assert.Equal(30, terminating.Metadata.DeletionGracePeriodSeconds);
        Assert.Equal(2, budget.Status.CurrentHealthy);
        Assert.Equal(["web-2", "web-3"], (await client.CoreV1.ListNamespacedPodAsync("default")).Items.Select(p => p.Metadata.Name));
    }
}
