using System.Text.Json.Nodes;

namespace Karpenter.Orleans.Kubernetes.ApiServer.Tests;

/// <summary>The pieces behind PATCH and selectors, on the cases clients hit less often.</summary>
public sealed class PatchAndSelectorTests
{
    private static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();

    [Fact]
    public void AStrategicMergeDeletesAnElementByDirectiveAndIgnoresOrderHints()
    {
        var pod = Json("""{"spec":{"containers":[{"name":"app","image":"a:1"},{"name":"sidecar","image":"s:1"}]}}""");
        var patch = Json("""{"spec":{"$setElementOrder/containers":[{"name":"app"}],"containers":[{"name":"sidecar","$patch":"delete"}]}}""");

        var result = Patches.Merge(pod, patch, strategic: true)!;

        Assert.Equal("""{"spec":{"containers":[{"name":"app","image":"a:1"}]}}""", result.ToJsonString());
    }

    [Fact]
    public void AMergePatchReplacesListsWholeEvenWithMergeKeys()
    {
        var pod = Json("""{"spec":{"containers":[{"name":"app","image":"a:1"},{"name":"sidecar","image":"s:1"}]}}""");

        var result = Patches.Merge(pod, Json("""{"spec":{"containers":[{"name":"app","image":"a:2"}]}}"""), strategic: false)!;

        Assert.Equal("""{"spec":{"containers":[{"name":"app","image":"a:2"}]}}""", result.ToJsonString());
    }

    [Fact]
    public void JsonPatchMovesAndCopiesAndEscapesPointers()
    {
        var node = Json("""{"metadata":{"labels":{"karpenter.sh/nodepool":"general"},"annotations":{}}}""");
        var operations = JsonNode.Parse("""
            [{"op":"copy","from":"/metadata/labels/karpenter.sh~1nodepool","path":"/metadata/annotations/pool"},
             {"op":"move","from":"/metadata/labels","path":"/metadata/oldLabels"},
             {"op":"replace","path":"/metadata/annotations/pool","value":"gpu"}]
            """)!.AsArray();

        var result = Patches.ApplyJsonPatch(node, operations);

        Assert.Equal("""{"metadata":{"annotations":{"pool":"gpu"},"oldLabels":{"karpenter.sh/nodepool":"general"}}}""", result.ToJsonString());
    }

    [Fact]
    public void AJsonPatchOnAMissingPathNamesTheOperation()
    {
        var e = Assert.Throws<ApiException>(() => Patches.ApplyJsonPatch(Json("{}"), JsonNode.Parse("""[{"op":"remove","path":"/spec/taints"}]""")!.AsArray()));

        Assert.Equal(422, e.Code);
        Assert.Contains("operation 0", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("app in (a")]
    [InlineData("app in a,b")]
    [InlineData("=a")]
    [InlineData("app=a,,tier=b")]
    public void AMalformedLabelSelectorIsABadRequestQuotingIt(string selector)
    {
        var e = Assert.Throws<ApiException>(() => LabelSelector.Parse(selector));

        Assert.Equal(400, e.Code);
        Assert.Contains(selector, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ApplyBodiesInYamlKeepTheirTypes()
    {
        var node = YamlJson.Parse("""
            apiVersion: karpenter.sh/v1
            kind: NodePool
            metadata:
              name: general
            spec:
              weight: 50
              limits: {cpu: "1000"}
              template: {spec: {expireAfter: 720h}}
              paused: false
            """)!;

        Assert.Equal("""{"apiVersion":"karpenter.sh/v1","kind":"NodePool","metadata":{"name":"general"},"spec":{"weight":50,"limits":{"cpu":"1000"},"template":{"spec":{"expireAfter":"720h"}},"paused":false}}""", node.ToJsonString());
    }
}
