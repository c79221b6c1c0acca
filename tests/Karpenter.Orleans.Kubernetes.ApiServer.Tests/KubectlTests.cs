using k8s;
using k8s.Models;
using static Karpenter.Orleans.Kubernetes.ApiServer.Tests.ApiServerFixture;

namespace Karpenter.Orleans.Kubernetes.ApiServer.Tests;

/// <summary>The real kubectl against the server: discovery, tables, apply, describe, drain, delete.</summary>
public sealed class KubectlTests
{
    private static string[] Rows(string table) =>
        [.. table.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries)))];

    [SkippableFact]
    public async Task KubectlGetListsNamespacesAndPodsWithTheirColumns()
    {
        Kubectl.SkipUnlessInstalled();
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        using var kubectl = new Kubectl(server);
        await client.CoreV1.CreateNamespacedPodAsync(Pod("web", nodeName: "n1"), "default");

        var namespaces = await kubectl.SucceedsAsync("get", "namespaces", "-o", "name");
        var pods = await kubectl.SucceedsAsync("get", "pods");

        Assert.Equal(["namespace/default", "namespace/kube-node-lease", "namespace/kube-public", "namespace/kube-system"], namespaces.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("NAME", pods, StringComparison.Ordinal);
        Assert.StartsWith("web Pending n1 ", Assert.Single(Rows(pods)), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task KubectlAppliesTheKarpenterCrdsAndTheExampleNodePoolsThenGetsAndDeletesThem()
    {
        Kubectl.SkipUnlessInstalled();
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        using var kubectl = new Kubectl(server);

        var crds = await kubectl.SucceedsAsync("apply", "-f", TestData("karpenter-crds.yaml"));
        var created = await kubectl.SucceedsAsync("apply", "-f", TestData("nodepools.yaml"));
        var again = await kubectl.SucceedsAsync("apply", "-f", TestData("nodepools.yaml"));
        var table = await kubectl.SucceedsAsync("get", "nodepools,nodeclaims");
        var weight = await kubectl.SucceedsAsync("get", "nodepool", "general", "-o", "jsonpath={.spec.weight}");
        var deleted = await kubectl.SucceedsAsync("delete", "nodepool", "gpu");

        Assert.Contains("customresourcedefinition.apiextensions.k8s.io/nodepools.karpenter.sh created", crds, StringComparison.Ordinal);
        Assert.Equal("nodepool.karpenter.sh/general created\nnodepool.karpenter.sh/gpu created\n", created);
        Assert.Equal("nodepool.karpenter.sh/general unchanged\nnodepool.karpenter.sh/gpu unchanged\n", again);
        Assert.Contains("NODECLASS", table, StringComparison.Ordinal);
        Assert.Contains(Rows(table), r => r.StartsWith("nodepool.karpenter.sh/general default 50 ", StringComparison.Ordinal));
        Assert.Contains(Rows(table), r => r.StartsWith("nodepool.karpenter.sh/gpu default 10 ", StringComparison.Ordinal));
        Assert.Equal("50", weight);
        Assert.Equal("nodepool.karpenter.sh \"gpu\" deleted\n", deleted);
        var left = (System.Text.Json.JsonElement)await client.CustomObjects.ListClusterCustomObjectAsync("karpenter.sh", "v1", "nodepools");
        Assert.Equal(["general"], left.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("metadata").GetProperty("name").GetString()));
    }

    [SkippableFact]
    public async Task KubectlServerSideApplyAndEditsReachTheStore()
    {
        Kubectl.SkipUnlessInstalled();
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        using var kubectl = new Kubectl(server);
        await kubectl.SucceedsAsync("apply", "-f", TestData("karpenter-crds.yaml"));

        var applied = await kubectl.SucceedsAsync("apply", "--server-side", "-f", TestData("nodepools.yaml"));
        await kubectl.SucceedsAsync("label", "nodepool", "general", "team=platform");
        await kubectl.SucceedsAsync("patch", "nodepool", "gpu", "--type=merge", "-p", """{"spec":{"weight":20}}""");

        Assert.Contains("nodepool.karpenter.sh/general serverside-applied", applied, StringComparison.Ordinal);
        var general = (System.Text.Json.JsonElement)await client.CustomObjects.GetClusterCustomObjectAsync("karpenter.sh", "v1", "nodepools", "general");
        var gpu = (System.Text.Json.JsonElement)await client.CustomObjects.GetClusterCustomObjectAsync("karpenter.sh", "v1", "nodepools", "gpu");
        Assert.Equal("platform", general.GetProperty("metadata").GetProperty("labels").GetProperty("team").GetString());
        Assert.Equal(20, gpu.GetProperty("spec").GetProperty("weight").GetInt32());
    }

    [SkippableFact]
    public async Task KubectlDescribePodShowsTheEventsOnIt()
    {
        Kubectl.SkipUnlessInstalled();
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        using var kubectl = new Kubectl(server);
        var pod = await client.CoreV1.CreateNamespacedPodAsync(Pod("web"), "default");
        await client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = "web.nominated" },
            InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = "web", NamespaceProperty = "default", Uid = pod.Metadata.Uid, ApiVersion = "v1" },
            Reason = "Nominated",
            Message = "Pod should schedule on: nodeclaim/general-abcde",
            Type = "Normal",
            Source = new V1EventSource { Component = "karpenter" },
            Count = 1,
            FirstTimestamp = DateTime.UtcNow,
            LastTimestamp = DateTime.UtcNow,
        }, "default");

        var description = await kubectl.SucceedsAsync("describe", "pod", "web");

        Assert.Contains("Status:", description, StringComparison.Ordinal);
        Assert.Contains("Nominated", description, StringComparison.Ordinal);
        Assert.Contains("Pod should schedule on: nodeclaim/general-abcde", description, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task KubectlDrainEvictsThroughTheSubresourceAndStopsAtABudget()
    {
        Kubectl.SkipUnlessInstalled();
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        using var kubectl = new Kubectl(server);
        var web = new Dictionary<string, string> { ["app"] = "web" };
        await client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = "n1" } });
        await client.PolicyV1.CreateNamespacedPodDisruptionBudgetAsync(new V1PodDisruptionBudget
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1PodDisruptionBudgetSpec { MinAvailable = 1, Selector = new V1LabelSelector { MatchLabels = web } },
        }, "default");
        await client.CoreV1.CreateNamespacedPodAsync(Pod("web-1", labels: web, nodeName: "n1"), "default");
        await MakeReadyAsync(client, "web-1");
        await client.CoreV1.CreateNamespacedPodAsync(Pod("batch", nodeName: "n1"), "default");
        await MakeReadyAsync(client, "batch");

        var (code, output, error) = await kubectl.RunAsync("drain", "n1", "--force", "--ignore-daemonsets", "--timeout=2s");

        Assert.NotEqual(0, code);
        Assert.Contains("Cannot evict pod as it would violate the pod's disruption budget", output + error, StringComparison.Ordinal);
        Assert.True((await client.CoreV1.ReadNodeAsync("n1")).Spec.Unschedulable);
        Assert.Equal(["web-1"], (await client.CoreV1.ListNamespacedPodAsync("default")).Items.Select(p => p.Metadata.Name));
        Assert.Contains(server.Requests, r => r.StartsWith("POST /api/v1/namespaces/default/pods/batch/eviction", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task KubectlWithAWrongTokenIsRefused()
    {
        Kubectl.SkipUnlessInstalled();
        await using var server = await StartAsync();
        using var kubectl = new Kubectl(server, token: "wrong");

        var (code, _, error) = await kubectl.RunAsync("get", "pods");

        Assert.NotEqual(0, code);
        Assert.Contains("You must be logged in to the server", error, StringComparison.Ordinal);
    }
}
