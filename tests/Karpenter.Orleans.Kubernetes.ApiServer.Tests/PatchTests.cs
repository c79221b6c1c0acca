using System.Net;
using k8s;
using k8s.Models;
using static Karpenter.Orleans.Kubernetes.ApiServer.Tests.ApiServerFixture;

namespace Karpenter.Orleans.Kubernetes.ApiServer.Tests;

public sealed class PatchTests
{
    [Fact]
    public async Task AMergePatchSetsAndRemovesFields()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        await client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = "n1", Labels = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" } } });

        var patched = await client.CoreV1.PatchNodeAsync(new V1Patch("""{"metadata":{"labels":{"a":null,"c":"3"}},"spec":{"unschedulable":true}}""", V1Patch.PatchType.MergePatch), "n1");

        Assert.Equal(new Dictionary<string, string> { ["b"] = "2", ["c"] = "3" }, patched.Metadata.Labels);
        Assert.True(patched.Spec.Unschedulable);
    }

    [Fact]
    public async Task AStrategicMergePatchMergesContainersByName()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        var pod = Pod("web");
        pod.Spec.Containers.Add(new V1Container { Name = "sidecar", Image = "registry.example/sidecar:1" });
        await client.CoreV1.CreateNamespacedPodAsync(pod, "default");

        var patched = await client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"spec":{"containers":[{"name":"sidecar","image":"registry.example/sidecar:2"}]}}""", V1Patch.PatchType.StrategicMergePatch), "web", "default");

        Assert.Equal(["app=registry.example/app:1", "sidecar=registry.example/sidecar:2"], patched.Spec.Containers.Select(c => $"{c.Name}={c.Image}"));
    }

    [Fact]
    public async Task AJsonPatchAppliesItsOperationsInOrderAndAFailedTestChangesNothing()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        await client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = "n1" }, Spec = new V1NodeSpec { Taints = [new V1Taint { Key = "a", Effect = "NoSchedule" }] } });

        var patched = await client.CoreV1.PatchNodeAsync(new V1Patch("""
            [{"op":"add","path":"/spec/taints/-","value":{"key":"karpenter.sh/disrupted","effect":"NoSchedule"}},
             {"op":"remove","path":"/spec/taints/0"},
             {"op":"add","path":"/metadata/labels","value":{"karpenter.sh/nodepool":"general"}}]
            """, V1Patch.PatchType.JsonPatch), "n1");
        var failed = await FailsWithAsync(HttpStatusCode.UnprocessableEntity, () => client.CoreV1.PatchNodeAsync(new V1Patch("""
            [{"op":"test","path":"/metadata/labels/karpenter.sh~1nodepool","value":"other"},{"op":"remove","path":"/spec/taints"}]
            """, V1Patch.PatchType.JsonPatch), "n1"));

        Assert.Equal(["karpenter.sh/disrupted"], patched.Spec.Taints.Select(t => t.Key));
        Assert.Equal("general", patched.Metadata.Labels["karpenter.sh/nodepool"]);
        Assert.Contains("test failed", failed.Message, StringComparison.Ordinal);
        Assert.Single((await client.CoreV1.ReadNodeAsync("n1")).Spec.Taints);
    }

    [Fact]
    public async Task ServerSideApplyCreatesThenMergesAndNamesTheFieldManager()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        var apply = """{"apiVersion":"v1","kind":"Node","metadata":{"name":"n1","labels":{"a":"1"}}}""";

        var created = await client.CoreV1.PatchNodeAsync(new V1Patch(apply, V1Patch.PatchType.ApplyPatch), "n1", fieldManager: "karpo-agent");
        var merged = await client.CoreV1.PatchNodeAsync(new V1Patch("""{"apiVersion":"v1","kind":"Node","metadata":{"name":"n1","labels":{"b":"2"}}}""", V1Patch.PatchType.ApplyPatch), "n1", fieldManager: "karpo-agent");
        var noManager = await FailsWithAsync(HttpStatusCode.UnprocessableEntity, () => client.CoreV1.PatchNodeAsync(new V1Patch(apply, V1Patch.PatchType.ApplyPatch), "n1"));
        var reapplied = await client.CoreV1.PatchNodeAsync(new V1Patch(apply, V1Patch.PatchType.ApplyPatch), "n1", fieldManager: "karpo-agent");

        Assert.Equal("1", created.Metadata.Labels["a"]);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" }, merged.Metadata.Labels);
        Assert.Equal(created.Metadata.Uid, merged.Metadata.Uid);
        Assert.Contains(merged.Metadata.ManagedFields, m => m.Manager == "karpo-agent" && m.Operation == "Apply");
        Assert.Contains("fieldManager", noManager.Message, StringComparison.Ordinal);
        Assert.Equal(merged.Metadata.ResourceVersion, reapplied.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task APatchCarryingAStaleResourceVersionIsAConflict()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        var node = await client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = "n1" } });
        await client.CoreV1.PatchNodeAsync(new V1Patch("""{"metadata":{"labels":{"a":"1"}}}""", V1Patch.PatchType.MergePatch), "n1");

        var status = await FailsWithAsync(HttpStatusCode.Conflict, () => client.CoreV1.PatchNodeAsync(
            new V1Patch("{\"metadata\":{\"resourceVersion\":\"" + node.Metadata.ResourceVersion + "\",\"labels\":{\"a\":\"2\"}}}", V1Patch.PatchType.MergePatch), "n1"));

        Assert.Equal("Conflict", status.Reason);
    }

    [Fact]
    public async Task PatchingAMissingObjectIsNotFound()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();

        var status = await FailsWithAsync(HttpStatusCode.NotFound, () => client.CoreV1.PatchNodeAsync(new V1Patch("{}", V1Patch.PatchType.MergePatch), "n1"));

        Assert.Equal("nodes \"n1\" not found", status.Message);
    }
}
