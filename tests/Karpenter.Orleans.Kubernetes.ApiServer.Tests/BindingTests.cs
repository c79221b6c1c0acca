using System.Net;
using k8s;
using k8s.Models;
using static Karpenter.Orleans.Kubernetes.ApiServer.Tests.ApiServerFixture;

namespace Karpenter.Orleans.Kubernetes.ApiServer.Tests;

/// <summary>The pods/binding subresource kube-scheduler binds with.</summary>
public sealed class BindingTests
{
    private static V1Binding Binding(string pod, string node) => new()
    {
        Metadata = new V1ObjectMeta { Name = pod, NamespaceProperty = "default" },
        Target = new V1ObjectReference { Kind = "Node", Name = node },
    };

    [Fact]
    public async Task ABindingSetsTheNodeOnceAndWatchersSeeIt()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("web-1"), "default");

        await client.CoreV1.CreateNamespacedPodBindingAsync(Binding("web-1", "n1"), "web-1", "default");

        var pod = await client.CoreV1.ReadNamespacedPodAsync("web-1", "default");
        Assert.Equal("n1", pod.Spec.NodeName);
        var again = await FailsWithAsync(HttpStatusCode.Conflict, () => client.CoreV1.CreateNamespacedPodBindingAsync(Binding("web-1", "n2"), "web-1", "default"));
        Assert.Contains("already assigned to node \"n1\"", again.Message, StringComparison.Ordinal);
        Assert.Equal("n1", (await client.CoreV1.ReadNamespacedPodAsync("web-1", "default")).Spec.NodeName);
    }

    [Fact]
    public async Task ABindingWithoutATargetOrForAMissingPodIsRefused()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("web-1"), "default");

        var noTarget = await FailsWithAsync(HttpStatusCode.UnprocessableEntity, () => client.CoreV1.CreateNamespacedPodBindingAsync(
            new V1Binding { Metadata = new V1ObjectMeta { Name = "web-1" }, Target = new V1ObjectReference() }, "web-1", "default"));
        Assert.Contains("target.name", noTarget.Message, StringComparison.Ordinal);
        await FailsWithAsync(HttpStatusCode.NotFound, () => client.CoreV1.CreateNamespacedPodBindingAsync(Binding("web-9", "n1"), "web-9", "default"));
        Assert.Null((await client.CoreV1.ReadNamespacedPodAsync("web-1", "default")).Spec.NodeName);
    }
}
