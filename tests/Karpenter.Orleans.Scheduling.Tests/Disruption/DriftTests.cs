using Karpenter.Orleans.Scheduling.Disruption;
using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.Scheduling.Tests.Disruption;

/// <summary>Karpenter's two drift rules, decided in the library: the template the claim came from, and the requirements its labels must still meet.</summary>
public sealed class DriftTests
{
    private static NodePool Pool(params string[] capacityTypes) => new()
    {
        Name = "default",
        Labels = new Dictionary<string, string> { ["team"] = "ml" },
        Requirements = capacityTypes.Length == 0 ? [] :
            [new NodeSelectorRequirementWithMinValues(WellKnownLabels.CapacityType, RequirementOperator.In, capacityTypes)],
    };

    private static Dictionary<string, string> Labels(string capacityType) => new(StringComparer.Ordinal)
    {
        [WellKnownLabels.CapacityType] = capacityType,
        [WellKnownLabels.NodePool] = "default",
        ["team"] = "ml",
    };

    [Fact]
    public void A_claim_made_from_the_current_template_and_meeting_its_requirements_has_not_drifted()
    {
        var pool = Pool("spot", "on-demand");

        Assert.Null(Drift.Of(pool, NodePoolHash.Of(pool), Labels("spot")));
    }

    [Fact]
    public void A_changed_template_is_static_drift()
    {
        var before = Pool("spot");
        var after = before with { Labels = new Dictionary<string, string> { ["team"] = "web" } };

        Assert.Equal(Drift.TemplateChanged, Drift.Of(after, NodePoolHash.Of(before), Labels("spot")));
    }

    [Fact]
    public void A_requirement_the_claim_no_longer_meets_is_drift_even_with_the_same_template()
    {
        var before = Pool("spot", "on-demand");
        var after = Pool("on-demand");

        // Requirements are not in the template hash: they are checked against the claim's labels.
        Assert.Equal(NodePoolHash.Of(before), NodePoolHash.Of(after));
        Assert.Equal(Drift.RequirementsNotMet, Drift.Of(after, NodePoolHash.Of(before), Labels("spot")));
        Assert.Null(Drift.Of(after, NodePoolHash.Of(before), Labels("on-demand")));
    }

    [Fact]
    public void A_requirement_on_a_label_the_claim_does_not_carry_is_not_drift()
    {
        var pool = Pool() with
        {
            Requirements = [new NodeSelectorRequirementWithMinValues("example.com/rack", RequirementOperator.In, ["r1"])],
        };

        Assert.Null(Drift.Of(pool, NodePoolHash.Of(pool), Labels("spot")));
    }

    [Fact]
    public void A_claim_stored_without_a_template_hash_is_judged_by_its_requirements_only()
    {
        Assert.Null(Drift.Of(Pool("spot"), null, Labels("spot")));
        Assert.Equal(Drift.RequirementsNotMet, Drift.Of(Pool("spot"), null, Labels("on-demand")));
    }
}
