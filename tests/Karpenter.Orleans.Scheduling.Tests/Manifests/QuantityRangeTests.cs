using Karpenter.Orleans.Scheduling.Manifests;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Manifests;

/// <summary>
/// Quantities the solver cannot hold (beyond its fixed-point range, or negative) are refused where the
/// manifests are read, naming file, document, field, line and the value as written.
/// </summary>
public sealed class QuantityRangeTests
{
    private const string TooLarge = "is more than the solver can hold";

    [Theory]
    [InlineData("requests", "cpu", "\"99999999999999999999999\"", "cpu at most 9007199254740992m")]
    [InlineData("requests", "cpu", "1e30", "cpu at most")]
    [InlineData("limits", "memory", "9Pi", "memory at most 8Pi")]
    [InlineData("limits", "nvidia.com/gpu", "1e13", "nvidia.com/gpu at most")]
    public void A_pod_quantity_beyond_the_solver_is_refused_with_its_field_line_and_value(string map, string resource, string value, string limit)
    {
        var ex = ManifestAssert.Rejects($$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: huge
            spec:
              containers:
                - name: c
                  image: app
                  resources:
                    {{map}}:
                      {{resource}}: {{value}}
            """, 1, $"spec.containers[0].resources.{map}.{resource}", TooLarge);

        Assert.Contains("(Pod huge)", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"line 11: \"{value.Trim('"')}\" {TooLarge}", ex.Message, StringComparison.Ordinal);
        Assert.Contains(limit, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cpu", "-6")]
    [InlineData("memory", "-4Gi")]
    public void A_negative_request_is_refused(string resource, string value)
    {
        var ex = ManifestAssert.Rejects($$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
            spec:
              replicas: 2
              template:
                spec:
                  containers:
                    - name: ok
                      image: app
                    - name: bad
                      image: app
                      resources:
                        requests: { {{resource}}: "{{value}}" }
            """, 1, $"spec.template.spec.containers[1].resources.requests.{resource}", "is negative");

        Assert.Contains($"\"{value}\" is negative", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pod_overhead_and_DaemonSet_init_containers_are_checked_too()
    {
        ManifestAssert.Rejects("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: p
            spec:
              overhead: { cpu: 1e30 }
              containers: [{ name: c, image: app }]
            """, 1, "spec.overhead.cpu", TooLarge);
        ManifestAssert.Rejects("""
            apiVersion: apps/v1
            kind: DaemonSet
            metadata:
              name: agent
            spec:
              template:
                spec:
                  initContainers:
                    - name: init
                      image: app
                      resources: { limits: { ephemeral-storage: 100Pi } }
                  containers: [{ name: c, image: app }]
            """, 1, "spec.template.spec.initContainers[0].resources.limits.ephemeral-storage", TooLarge);
    }

    [Fact]
    public void A_node_reporting_more_than_the_solver_holds_is_refused_and_the_limit_itself_is_accepted()
    {
        ManifestAssert.Rejects("""
            apiVersion: v1
            kind: Node
            metadata:
              name: n
            status:
              allocatable: { cpu: "4", memory: 8Ei }
            """, 1, "status.allocatable.memory", TooLarge);

        using var dir = new ScratchFolder();
        var file = dir.Write("node.yaml", """
            apiVersion: v1
            kind: Node
            metadata:
              name: n
            status:
              allocatable: { cpu: 9007199254740992m, memory: 8Pi, pods: "110" }
            """);
        Assert.Single(ManifestLoader.Load([file]).Nodes);
    }

    [Theory]
    [InlineData("cpu", "1e13", "instanceTypes[0].allocatable.cpu")]
    [InlineData("memory", "1e30", "instanceTypes[0].allocatable.memory")]
    public void Catalog_quantities_beyond_the_solver_are_refused(string resource, string value, string field)
    {
        using var dir = new ScratchFolder();
        // 1e13 bytes of memory is fine, 1e13 cores is not: the range depends on the resource.
        var file = dir.Write("catalog.json", $$"""
            { "zones": ["a"], "instanceTypes": [ { "name": "t", "allocatable": { "cpu": "1", "memory": "1e13", "{{resource}}": "{{value}}" }, "onDemandPricePerHour": 1 } ] }
            """);

        var ex = Assert.Throws<ManifestException>(() => CatalogLoader.Load(file));

        ManifestAssert.AssertLocated(ex, file, null, field, TooLarge);
        Assert.Contains(value, ex.Message, StringComparison.Ordinal);
    }
}
