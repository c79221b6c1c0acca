using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Karpenter.Orleans.Kubernetes.ApiServer.Tests;

/// <summary>Helpers shared by the tests: a server with a token, objects, and error assertions.</summary>
internal static class ApiServerFixture
{
    public const string Token = "test-token-0123456789";

    public static async Task<KubeApiServer> StartAsync(int historyLimit = 10_000, bool gracefulPodDeletion = false)
    {
        var options = new KubeApiServerOptions { HistoryLimit = historyLimit, BookmarkInterval = TimeSpan.FromHours(1), GracefulPodDeletion = gracefulPodDeletion };
        options.BearerTokens.Add(Token);
        return await KubeApiServer.StartAsync(options);
    }

    public static V1Pod Pod(string name, string ns = "default", IDictionary<string, string>? labels = null, string? nodeName = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = labels },
        Spec = new V1PodSpec
        {
            NodeName = nodeName,
            Containers = [new V1Container { Name = "app", Image = "registry.example/app:1" }],
        },
    };

    /// <summary>Marks a pod Running and Ready through pods/status, as kubelet would.</summary>
    public static async Task<V1Pod> MakeReadyAsync(IKubernetes client, string name, string ns = "default")
    {
        var patch = """{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}""";
        return await client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), name, ns);
    }

    /// <summary>Runs <paramref name="call"/>, expects it to fail with <paramref name="code"/>, returns the Status the server sent.</summary>
    public static async Task<V1Status> FailsWithAsync(HttpStatusCode code, Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(call);
        Assert.Equal(code, e.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(e.Response.Content);
        Assert.Equal("Status", status.Kind);
        Assert.Equal("Failure", status.Status);
        Assert.Equal((int)code, status.Code);
        return status;
    }

    public static string TestData(string file) => Path.Combine(AppContext.BaseDirectory, "TestData", file);
}
