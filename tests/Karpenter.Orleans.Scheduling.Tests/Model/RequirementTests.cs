using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.Scheduling.Tests.Model;

public sealed class RequirementTests
{
    [Fact]
    public void InIntersectNotInRemovesExcludedValues()
    {
        var r = Requirement.In("k", "a", "b", "c").Intersect(Requirement.NotIn("k", "b"));
        Assert.Equal(RequirementOperator.In, r.Operator);
        Assert.Equal(["a", "c"], r.Values);
    }

    [Fact]
    public void GtBoundsFilterConcreteValues()
    {
        var gt = Requirement.From(new NodeSelectorRequirementWithMinValues("cpu", RequirementOperator.Gt, ["4"]));
        var r = Requirement.In("cpu", "2", "4", "8", "x").Intersect(gt);
        Assert.Equal(["8"], r.Values);
    }

    [Fact]
    public void ContradictoryBoundsAreEmpty()
    {
        var gt = Requirement.From(new NodeSelectorRequirementWithMinValues("n", RequirementOperator.Gt, ["10"]));
        var lt = Requirement.From(new NodeSelectorRequirementWithMinValues("n", RequirementOperator.Lt, ["5"]));
        Assert.True(gt.Intersect(lt).IsEmpty);
        Assert.False(gt.Intersects(lt));
    }

    [Fact]
    public void TwoNegativeRequirementsAlwaysIntersect()
    {
        Assert.True(Requirement.DoesNotExist("k").Intersects(Requirement.NotIn("k", "a")));
        Assert.False(Requirement.DoesNotExist("k").Intersects(Requirement.In("k", "a")));
    }

    [Fact]
    public void UndefinedCustomLabelIsIncompatibleButWellKnownIsAllowed()
    {
        var pool = RequirementSet.Of(Requirement.In("team", "a"));
        var wellKnown = new HashSet<string>(WellKnownLabels.Core);
        Assert.NotNull(pool.Compatible(RequirementSet.Of(Requirement.In("other", "x")), wellKnown));
        Assert.Null(pool.Compatible(RequirementSet.Of(Requirement.In(WellKnownLabels.Arch, "arm64")), wellKnown));
        Assert.Null(pool.Compatible(RequirementSet.Of(Requirement.NotIn("other", "x")), wellKnown));
    }
}
