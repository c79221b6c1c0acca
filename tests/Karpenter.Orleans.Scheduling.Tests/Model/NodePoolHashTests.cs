using k8s.Models;
using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.Scheduling.Tests.Model;

/// <summary>The NodePool hash drift compares: what changes it, what does not, and that stored hashes stay valid.</summary>
public sealed class NodePoolHashTests
{
    private static NodePool Pool() => new()
    {
        Name = "default",
        Labels = new Dictionary<string, string> { ["team"] = "ml" },
        Annotations = new Dictionary<string, string> { ["example.com/owner"] = "data" },
        Taints = [Taint("dedicated", "db", "NoSchedule"), Taint("gpu", null, "NoExecute")],
        StartupTaints = [Taint("node.example.com/warming", null, "NoSchedule")],
        NodeClassRef = new NodeClassReference("karpenter.k8s.aws", "EC2NodeClass", "default"),
    };

    private static V1Taint Taint(string key, string? value, string effect) => new() { Key = key, Value = value, Effect = effect };

    /// <summary>
    /// Claims in the index hold hashes made by earlier versions: the same template must hash the same, or an
    /// upgrade would mark every claim drifted. The value is SHA-256 of the template's JSON, computed outside .NET.
    /// </summary>
    [Fact]
    public void A_template_hashes_as_earlier_versions_stored_it()
    {
        Assert.Equal("f6255eddf0eb2573", NodePoolHash.Of(Pool()));
    }

    [Fact]
    public void Key_and_taint_order_do_not_change_the_hash()
    {
        var pool = Pool();
        var reordered = pool with
        {
            Labels = new Dictionary<string, string> { ["zeta"] = "1", ["alpha"] = "2" },
            Taints = [.. pool.Taints.Reverse()],
        };
        var sorted = pool with { Labels = new Dictionary<string, string> { ["alpha"] = "2", ["zeta"] = "1" } };

        Assert.Equal(NodePoolHash.Of(sorted), NodePoolHash.Of(reordered));
    }

    public static TheoryData<string> Changes => ["label", "annotation", "taint", "startup taint", "node class"];

    [Theory]
    [MemberData(nameof(Changes))]
    public void A_change_Karpenters_static_drift_compares_changes_the_hash(string change)
    {
        var pool = Pool();
        var changed = change switch
        {
            "label" => pool with { Labels = new Dictionary<string, string> { ["team"] = "web" } },
            "annotation" => pool with { Annotations = new Dictionary<string, string>() },
            "taint" => pool with { Taints = [Taint("dedicated", "db", "NoExecute"), pool.Taints[1]] },
            "startup taint" => pool with { StartupTaints = [] },
            _ => pool with { NodeClassRef = pool.NodeClassRef! with { Name = "gpu" } },
        };

        Assert.NotEqual(NodePoolHash.Of(pool), NodePoolHash.Of(changed));
    }

    [Fact]
    public void Weight_requirements_and_limits_do_not_change_the_hash()
    {
        var pool = Pool();
        var changed = pool with
        {
            Weight = 50,
            Requirements = [new NodeSelectorRequirementWithMinValues(WellKnownLabels.Zone, RequirementOperator.In, ["zone-a"])],
            Limits = new Dictionary<string, string> { ["cpu"] = "100" },
        };

        Assert.Equal(NodePoolHash.Of(pool), NodePoolHash.Of(changed));
    }
}
