using System.Net.Http.Json;
using k8s;
using k8s.Models;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Agent.Service;
using Karpenter.Orleans.Kubernetes.ApiServer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Karpenter.Orleans.Agent.Tests.TestSupport;

/// <summary>
/// One cluster end to end: an API server with the Karpenter CRDs, the real silo on Kestrel with the cluster
/// registered, and the agent (its real host, configured as an operator would: kubeconfig and token files)
/// reaching the silo through a <see cref="TcpSwitch"/>.
/// </summary>
public sealed class AgentRig : IAsyncDisposable
{
    public const string ClusterId = "agent-test";

    private AgentRig(KubeApiServer server, AgentTestSilo silo, TcpSwitch relay, string directory, string token)
    {
        Server = server;
        Kube = server.CreateClient();
        Silo = silo;
        Switch = relay;
        Directory = directory;
        Token = token;
    }

    public KubeApiServer Server { get; }

    public k8s.Kubernetes Kube { get; }

    public AgentTestSilo Silo { get; }

    public TcpSwitch Switch { get; }

    public string Directory { get; }

    /// <summary>The cluster's real agent token (the token file may hold another).</summary>
    public string Token { get; }

    public CapturedLogs Logs { get; } = new();

    public IHost? Agent { get; private set; }

    public AgentWorker Worker => Agent!.Services.GetRequiredService<AgentWorker>();

    public static async Task<AgentRig> StartAsync(IReadOnlyDictionary<string, string?>? siloSettings = null, bool installCrds = true, string provider = "simulated")
    {
        var apiServerOptions = new KubeApiServerOptions();
        apiServerOptions.BearerTokens.Add("kube-test-token-0d3b");
        var server = await KubeApiServer.StartAsync(apiServerOptions);
        if (installCrds)
        {
            using var kube = server.CreateClient();
            await InstallCrdsAsync(kube);
        }

        var silo = new AgentTestSilo(siloSettings);
        silo.StartServer();
        using var admin = silo.Client(AgentTestSilo.AdminToken);
        using var response = await admin.PostAsJsonAsync("api/v1/clusters", new ClusterRegistration(ClusterId, provider, "us-east-1", "111111111111"), AgentJson.Options);
        response.EnsureSuccessStatusCode();
        var registered = await response.Content.ReadFromJsonAsync<ClusterRegistrationResponse>(AgentJson.Options);
        var directory = Path.Combine(silo.Directory, "agent");
        System.IO.Directory.CreateDirectory(directory);
        return new AgentRig(server, silo, new TcpSwitch(silo.Port), directory, registered!.AgentToken);
    }

    /// <summary>Creates the Karpenter CRDs (NodePools, NodeClaims, EC2NodeClasses) in the API server.</summary>
    public Task InstallCrdsAsync() => InstallCrdsAsync(Kube);

    private static async Task InstallCrdsAsync(k8s.Kubernetes kube)
    {
        var crds = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "TestData", "karpenter-crds.yaml"));
        foreach (var crd in KubernetesYaml.LoadAllFromString(crds).Cast<V1CustomResourceDefinition>())
        {
            await kube.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);
        }
    }

    /// <summary>
    /// Starts the agent with <paramref name="token"/> in its token file (the real one unless given) and
    /// <paramref name="settings"/> over the test defaults.
    /// </summary>
    public async Task StartAgentAsync(IReadOnlyDictionary<string, string?>? settings = null, string? token = null)
    {
        var kubeconfig = Path.Combine(Directory, "kubeconfig");
        Server.WriteKubeconfig(kubeconfig);
        var tokenFile = Path.Combine(Directory, "token");
        await File.WriteAllTextAsync(tokenFile, (token ?? Token) + "\n");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Agent:ClusterId"] = ClusterId,
            ["Agent:ServiceUrl"] = Switch.Address.ToString(),
            ["Agent:TokenFile"] = tokenFile,
            ["Agent:Kubeconfig"] = kubeconfig,
            ["Agent:LeaderElection:Enabled"] = "false",
            ["Agent:BatchDelay"] = "00:00:00.050",
            ["Agent:ServiceRetries"] = "1",
            ["Agent:ServiceRetryDelay"] = "00:00:00.100",
            ["Agent:MaxRetryDelay"] = "00:00:01",
            ["Agent:ServiceRequestTimeout"] = "00:00:15",
            ["Agent:MissingResourceRetryInterval"] = "00:00:00.500",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddProvider(Logs);
        builder.Services.AddKarpoAgent(builder.Configuration);
        Agent = builder.Build();
        await Agent.StartAsync();
    }

    public async Task<PendingPod[]> PendingAsync()
    {
        using var read = Silo.Client(AgentTestSilo.ReadToken);
        return (await read.GetFromJsonAsync<PendingPod[]>($"api/v1/clusters/{ClusterId}/pending?limit=5000", AgentJson.Options))!;
    }

    public async Task<ClusterStatus> StatusAsync()
    {
        using var read = Silo.Client(AgentTestSilo.ReadToken);
        return (await read.GetFromJsonAsync<ClusterStatus>($"api/v1/clusters/{ClusterId}", AgentJson.Options))!;
    }

    /// <summary>The agent's own lists of a collection (the test's lists send no limit).</summary>
    public int AgentLists(string path) =>
        Server.Requests.Count(r => r.StartsWith($"GET /{path}?", StringComparison.Ordinal) && r.Contains("limit=500", StringComparison.Ordinal));

    /// <summary>The agent's watches of a collection.</summary>
    public int AgentWatches(string path) =>
        Server.Requests.Count(r => r.StartsWith($"GET /{path}?", StringComparison.Ordinal) && r.Contains("watch=true", StringComparison.Ordinal));

    public async Task<NodePoolStatus[]> NodePoolsAsync()
    {
        using var read = Silo.Client(AgentTestSilo.ReadToken);
        return (await read.GetFromJsonAsync<NodePoolStatus[]>($"api/v1/clusters/{ClusterId}/nodepools", AgentJson.Options))!;
    }

    public async Task<NodeClaimInfo[]> NodeClaimsAsync()
    {
        using var read = Silo.Client(AgentTestSilo.ReadToken);
        return (await read.GetFromJsonAsync<NodeClaimInfo[]>($"api/v1/clusters/{ClusterId}/nodeclaims?limit=5000", AgentJson.Options))!;
    }

    /// <summary>The names of the pods the service holds as pending, sorted.</summary>
    public async Task<string[]> PendingNamesAsync() => [.. (await PendingAsync()).Select(p => $"{p.Namespace}/{p.Name}").Order(StringComparer.Ordinal)];

    /// <summary>The names of the cluster's unbound pods, sorted: what the service's pending list must equal.</summary>
    public async Task<string[]> UnboundPodNamesAsync()
    {
        var pods = await Kube.CoreV1.ListPodForAllNamespacesAsync();
        return [.. pods.Items.Where(p => p.Spec.NodeName is null).Select(p => $"{p.Metadata.NamespaceProperty}/{p.Metadata.Name}").Order(StringComparer.Ordinal)];
    }

    public Task CreatePodAsync(string name, int? hostPort = null) =>
        Kube.CoreV1.CreateNamespacedPodAsync(
            new V1Pod
            {
                Metadata = new V1ObjectMeta
                {
                    Name = name,
                    NamespaceProperty = "default",
                    Labels = new Dictionary<string, string> { ["app"] = "web" },
                    Annotations = new Dictionary<string, string> { ["kubectl.kubernetes.io/last-applied-configuration"] = new string('x', 2000) },
                },
                Spec = new V1PodSpec
                {
                    Containers =
                    [
                        new V1Container
                        {
                            Name = "app",
                            Image = "registry.example.com/web:1",
                            Env = [new V1EnvVar { Name = "MODE", Value = "production" }],
                            Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("500m"), ["memory"] = new("512Mi") } },
                            Ports = hostPort is { } port ? [new V1ContainerPort { ContainerPort = 8080, HostPort = port }] : null,
                        },
                    ],
                },
            },
            "default");

    public Task DeletePodAsync(string name) => Kube.CoreV1.DeleteNamespacedPodAsync(name, "default", new V1DeleteOptions { GracePeriodSeconds = 0 });

    public Task CreateNodePoolAsync(string name) =>
        Kube.CustomObjects.CreateClusterCustomObjectAsync(
            new Dictionary<string, object>
            {
                ["apiVersion"] = "karpenter.sh/v1",
                ["kind"] = "NodePool",
                ["metadata"] = new Dictionary<string, object> { ["name"] = name },
                ["spec"] = new Dictionary<string, object>
                {
                    ["template"] = new Dictionary<string, object>
                    {
                        ["spec"] = new Dictionary<string, object>
                        {
                            ["nodeClassRef"] = new Dictionary<string, object> { ["group"] = "karpenter.k8s.aws", ["kind"] = "EC2NodeClass", ["name"] = "default" },
                            ["requirements"] = new object[]
                            {
                                new Dictionary<string, object> { ["key"] = "kubernetes.io/arch", ["operator"] = "In", ["values"] = new[] { "amd64" } },
                                new Dictionary<string, object> { ["key"] = "karpenter.sh/capacity-type", ["operator"] = "In", ["values"] = new[] { "on-demand" } },
                            },
                        },
                    },
                    ["disruption"] = new Dictionary<string, object> { ["consolidationPolicy"] = "WhenEmpty", ["consolidateAfter"] = "1h" },
                },
            },
            "karpenter.sh",
            "v1",
            "nodepools");

    public Task CreateNodeAsync(string name, string nodePool) =>
        Kube.CoreV1.CreateNodeAsync(new V1Node
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                Labels = new Dictionary<string, string>
                {
                    ["karpenter.sh/nodepool"] = nodePool,
                    ["kubernetes.io/arch"] = "amd64",
                    ["node.kubernetes.io/instance-type"] = "m5.xlarge",
                    ["topology.kubernetes.io/zone"] = "us-east-1a",
                    ["karpenter.sh/capacity-type"] = "on-demand",
                },
            },
            Spec = new V1NodeSpec { ProviderID = $"aws:///us-east-1a/i-{name}" },
            Status = new V1NodeStatus
            {
                Capacity = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("4"), ["memory"] = new("16Gi"), ["pods"] = new("58") },
                Allocatable = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("3920m"), ["memory"] = new("15Gi"), ["pods"] = new("58") },
                Conditions = [new V1NodeCondition { Type = "Ready", Status = "True", LastHeartbeatTime = DateTime.UtcNow }],
            },
        });

    /// <summary>Waits for <paramref name="condition"/> with a generous timeout; fails naming <paramref name="what"/> and the logs' tail.</summary>
    public async Task EventuallyAsync(string what, Func<Task<bool>> condition, int seconds = 90)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // The silo is still starting.
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting for {what}; the agent's last log lines:\n{string.Join('\n', Logs.Lines.TakeLast(30))}");
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Agent is not null)
        {
            await Agent.StopAsync();
            Agent.Dispose();
        }

        await Switch.DisposeAsync();
        Kube.Dispose();
        await Silo.DisposeAsync();
        await Server.DisposeAsync();
    }
}
