using System.Diagnostics;
using k8s;
using k8s.Models;
using Karpenter.Orleans.Kubernetes.ApiServer;

namespace Karpenter.Orleans.Agent.Tests;

/// <summary>An in-process API server with the objects the agent's tests need, and ways to wait and to run kubectl.</summary>
internal static class AgentCluster
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>The bearer token the server accepts (kubectl needs credentials of some kind).</summary>
    public const string Token = "agent-test-token-0123456789";

    public static async Task<KubeApiServer> StartAsync()
    {
        var options = new KubeApiServerOptions { BookmarkInterval = TimeSpan.FromHours(1) };
        options.BearerTokens.Add(Token);
        return await KubeApiServer.StartAsync(options);
    }

    /// <summary>Karpenter's CRDs as the API server's own tests install them.</summary>
    public static async Task InstallKarpenterCrdsAsync(IKubernetes client)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, CrdPath)))
        {
            dir = dir.Parent;
        }

        Assert.True(dir is not null, $"{CrdPath} not found above {AppContext.BaseDirectory}");
        foreach (var crd in KubernetesYaml.LoadAllFromString(await File.ReadAllTextAsync(Path.Combine(dir.FullName, CrdPath))).Cast<V1CustomResourceDefinition>())
        {
            await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);
        }
    }

    private static string CrdPath => Path.Combine("tests", "Karpenter.Orleans.Kubernetes.ApiServer.Tests", "TestData", "karpenter-crds.yaml");

    public static V1Node Node(string name, params V1Taint[] taints) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1NodeSpec { ProviderID = $"aws:///us-east-1a/i-{name}", Taints = taints.Length == 0 ? null : [.. taints] },
    };

    public static V1Pod Pod(string name, string? node, IDictionary<string, string>? labels = null, IDictionary<string, string>? annotations = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Labels = labels, Annotations = annotations },
        Spec = new V1PodSpec { NodeName = node, Containers = [new V1Container { Name = "app", Image = "registry.example/app:1" }] },
    };

    public static async Task<V1Pod> CreateReadyPodAsync(IKubernetes client, V1Pod pod)
    {
        await client.CoreV1.CreateNamespacedPodAsync(pod, "default");
        return await MakeReadyAsync(client, pod.Metadata.Name);
    }

    public static Task<V1Pod> MakeReadyAsync(IKubernetes client, string name) =>
        client.CoreV1.PatchNamespacedPodStatusAsync(
            new V1Patch("""{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}""", V1Patch.PatchType.MergePatch), name, "default");

    public static Task CreateBudgetAsync(IKubernetes client, string name, IDictionary<string, string> selector, IntOrString maxUnavailable) =>
        client.PolicyV1.CreateNamespacedPodDisruptionBudgetAsync(new V1PodDisruptionBudget
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1PodDisruptionBudgetSpec { MaxUnavailable = maxUnavailable, Selector = new V1LabelSelector { MatchLabels = selector } },
        }, "default");

    public static int EvictionsOf(KubeApiServer server, string pod) =>
        server.Requests.Count(r => r == $"POST /api/v1/namespaces/default/pods/{pod}/eviction");

    /// <summary>Waits for a condition (no timing asserted: a generous guard only turns a hang into a failure).</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < Patience, $"gave up waiting for: {what}");
            await Task.Delay(50);
        }
    }

    public static string? Kubectl { get; } = Environment.GetEnvironmentVariable("PATH")?
        .Split(Path.PathSeparator).Select(d => Path.Combine(d, "kubectl")).FirstOrDefault(File.Exists);

    /// <summary>Runs the real kubectl against the server with a kubeconfig of its own; fails the test unless it exits 0.</summary>
    public static async Task<string> KubectlAsync(KubeApiServer server, params string[] args)
    {
        Assert.True(Kubectl is not null, "kubectl is not on PATH (scripts/test.sh installs it)");
        var dir = Directory.CreateTempSubdirectory("karpo-agent-kubectl-").FullName;
        try
        {
            var kubeconfig = Path.Combine(dir, "kubeconfig");
            // The server's own first token: Token for the servers started here, the rig's for AgentRig's.
            server.WriteKubeconfig(kubeconfig);
            var start = new ProcessStartInfo(Kubectl!) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
            start.ArgumentList.Add("--kubeconfig=" + kubeconfig);
            start.ArgumentList.Add("--cache-dir=" + Path.Combine(dir, "cache"));
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            start.Environment["HOME"] = dir;
            start.Environment.Remove("KUBECONFIG");
            using var process = Process.Start(start)!;
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync(guard.Token);
            Assert.True(process.ExitCode == 0, $"kubectl {string.Join(' ', args)} exited {process.ExitCode}:\n{await output}\n{await error}");
            return await output;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
