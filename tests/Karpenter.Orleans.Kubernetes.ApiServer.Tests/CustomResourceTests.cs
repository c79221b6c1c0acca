using System.Net;
using System.Text.Json;
using k8s;
using k8s.Models;
using static Karpenter.Orleans.Kubernetes.ApiServer.Tests.ApiServerFixture;

namespace Karpenter.Orleans.Kubernetes.ApiServer.Tests;

public sealed class CustomResourceTests
{
    private static async Task InstallKarpenterCrdsAsync(IKubernetes client)
    {
        foreach (var crd in KubernetesYaml.LoadAllFromString(await File.ReadAllTextAsync(TestData("karpenter-crds.yaml"))).Cast<V1CustomResourceDefinition>())
        {
            await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);
        }
    }

    private static Dictionary<string, object> NodePool(string name) => new()
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
                },
            },
        },
    };

    [Fact]
    public async Task AnAppliedCrdIsEstablishedAndItsResourceIsDiscoverable()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        await FailsWithAsync(HttpStatusCode.NotFound, () => client.CustomObjects.ListClusterCustomObjectAsync("karpenter.sh", "v1", "nodepools"));

        await InstallKarpenterCrdsAsync(client);

        var crd = await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync("nodepools.karpenter.sh");
        Assert.Contains(crd.Status.Conditions, c => c.Type == "Established" && c.Status == "True");
        var resources = await client.Apis.GetAPIVersionsAsync();
        Assert.Contains(resources.Groups, g => g.Name == "karpenter.sh" && g.PreferredVersion.Version == "v1");
        Assert.Contains(resources.Groups, g => g.Name == "karpenter.k8s.aws");
    }

    [Fact]
    public async Task NodePoolsAreCreatedListedAndTheirStatusSetThroughTheSubresource()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        await InstallKarpenterCrdsAsync(client);
        var withStatus = NodePool("general");
        withStatus["status"] = new Dictionary<string, object> { ["ignored"] = true };

        await client.CustomObjects.CreateClusterCustomObjectAsync(withStatus, "karpenter.sh", "v1", "nodepools");
        await client.CustomObjects.CreateClusterCustomObjectAsync(NodePool("gpu"), "karpenter.sh", "v1", "nodepools");
        await client.CustomObjects.PatchClusterCustomObjectStatusAsync(
            new V1Patch("""{"status":{"conditions":[{"type":"Ready","status":"True","reason":"Ready","message":"","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}""", V1Patch.PatchType.MergePatch),
            "karpenter.sh", "v1", "nodepools", "general");
        var spec = await client.CustomObjects.PatchClusterCustomObjectAsync(
            new V1Patch("""{"spec":{"weight":50},"status":{"conditions":[]}}""", V1Patch.PatchType.MergePatch), "karpenter.sh", "v1", "nodepools", "general");

        var list = (JsonElement)await client.CustomObjects.ListClusterCustomObjectAsync("karpenter.sh", "v1", "nodepools");
        var items = list.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal("NodePoolList", list.GetProperty("kind").GetString());
        Assert.Equal(["general", "gpu"], items.Select(i => i.GetProperty("metadata").GetProperty("name").GetString()));
        Assert.False(items[1].TryGetProperty("status", out _));
        var general = (JsonElement)spec;
        Assert.Equal("True", general.GetProperty("status").GetProperty("conditions")[0].GetProperty("status").GetString());
        Assert.Equal(2, general.GetProperty("metadata").GetProperty("generation").GetInt64());
    }

    [Fact]
    public async Task NodeClaimsAreClusterScopedAndWatchable()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        await InstallKarpenterCrdsAsync(client);
        var claim = new Dictionary<string, object>
        {
            ["apiVersion"] = "karpenter.sh/v1",
            ["kind"] = "NodeClaim",
            ["metadata"] = new Dictionary<string, object> { ["name"] = "general-abcde", ["labels"] = new Dictionary<string, string> { ["karpenter.sh/nodepool"] = "general" } },
            ["spec"] = new Dictionary<string, object> { ["requirements"] = Array.Empty<object>() },
        };

        var created = (JsonElement)await client.CustomObjects.CreateClusterCustomObjectAsync(claim, "karpenter.sh", "v1", "nodeclaims");
        var namespaced = await FailsWithAsync(HttpStatusCode.NotFound, () => client.CustomObjects.ListNamespacedCustomObjectAsync("karpenter.sh", "v1", "default", "nodeclaims"));
        var selected = (JsonElement)await client.CustomObjects.ListClusterCustomObjectAsync("karpenter.sh", "v1", "nodeclaims", labelSelector: "karpenter.sh/nodepool=general");

        Assert.False(created.GetProperty("metadata").TryGetProperty("namespace", out _));
        Assert.Equal("NotFound", namespaced.Reason);
        Assert.Single(selected.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task StrategicMergePatchIsRefusedForCustomResourcesAsUpstream()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        await InstallKarpenterCrdsAsync(client);
        await client.CustomObjects.CreateClusterCustomObjectAsync(NodePool("general"), "karpenter.sh", "v1", "nodepools");

        await FailsWithAsync(HttpStatusCode.UnsupportedMediaType, () => client.CustomObjects.PatchClusterCustomObjectAsync(
            new V1Patch("""{"spec":{"weight":1}}""", V1Patch.PatchType.StrategicMergePatch), "karpenter.sh", "v1", "nodepools", "general"));
    }

    [Fact]
    public async Task DeletingTheCrdStopsServingItAndDeletesItsObjects()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        await InstallKarpenterCrdsAsync(client);
        await client.CustomObjects.CreateClusterCustomObjectAsync(NodePool("general"), "karpenter.sh", "v1", "nodepools");

        await client.ApiextensionsV1.DeleteCustomResourceDefinitionAsync("nodepools.karpenter.sh");
        await FailsWithAsync(HttpStatusCode.NotFound, () => client.CustomObjects.ListClusterCustomObjectAsync("karpenter.sh", "v1", "nodepools"));
        await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(
            KubernetesYaml.LoadAllFromString(await File.ReadAllTextAsync(TestData("karpenter-crds.yaml"))).Cast<V1CustomResourceDefinition>().First());

        var list = (JsonElement)await client.CustomObjects.ListClusterCustomObjectAsync("karpenter.sh", "v1", "nodepools");
        Assert.Empty(list.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task ACrdWithoutItsNamesIsInvalid()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        var crd = KubernetesYaml.LoadAllFromString(await File.ReadAllTextAsync(TestData("karpenter-crds.yaml"))).Cast<V1CustomResourceDefinition>().First();
        crd.Spec.Names.Plural = null;

        var status = await FailsWithAsync(HttpStatusCode.UnprocessableEntity, () => client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd));

        Assert.Contains("spec.names.plural", status.Message, StringComparison.Ordinal);
    }
}
