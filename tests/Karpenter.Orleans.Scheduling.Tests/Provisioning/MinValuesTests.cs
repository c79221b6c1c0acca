using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Provisioning;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Provisioning;

/// <summary>minValues: a claim's instance-type options must span that many distinct values of the key.</summary>
public sealed class MinValuesTests
{
    // Families a and b have 4-cpu types; family c only a 1-cpu type (too small for a 2-cpu pod) unless added.
    private static Scenario Catalog(bool bigFamilyC) =>
        new Scenario()
            .Type("a-4", "4", "8Gi", 0.20, t => t.Label(TestLabels.Family, "a"))
            .Type("a-8", "8", "16Gi", 0.40, t => t.Label(TestLabels.Family, "a"))
            .Type("b-4", "4", "8Gi", 0.21, t => t.Label(TestLabels.Family, "b"))
            .Type("c-1", "1", "2Gi", 0.05, t => t.Label(TestLabels.Family, "c"))
            .Type(bigFamilyC ? "c-4" : "c-tiny", bigFamilyC ? "4" : "500m", "8Gi", 0.30, t => t.Label(TestLabels.Family, "c"))
            .Pool(new NodePoolBuilder().Requirement(TestLabels.Family, RequirementOperator.Exists, 3));

    [Fact]
    public void StrictPolicyLeavesPodsUnschedulableWhenTooFewFamiliesFit()
    {
        var o = Catalog(bigFamilyC: false).Replicas(2, "web", cpu: "2", memory: "1Gi").Solve(new SolverOptions { MinValuesPolicy = MinValuesPolicy.Strict });

        Assert.Empty(o.Claims);
        Assert.Equal(2, o.Result.Unschedulable.Count);
        Assert.All(o.Result.Unschedulable, u => o.AssertUnschedulable(u.Pod, "minValues", "min values"));
    }

    [Fact]
    public void StrictIsTheDefaultPolicy()
    {
        var o = Catalog(bigFamilyC: false).Pod(new PodBuilder("web", "2", "1Gi")).Solve();

        Assert.Empty(o.Claims);
        o.AssertUnschedulable("web");
    }

    [Fact]
    public void BestEffortPolicySchedulesAndMarksTheClaimRelaxed()
    {
        var o = Catalog(bigFamilyC: false).Replicas(2, "web", cpu: "2", memory: "1Gi").Solve(new SolverOptions { MinValuesPolicy = MinValuesPolicy.BestEffort });

        Assert.Empty(o.Result.Unschedulable);
        Assert.NotEmpty(o.Claims);
        Assert.All(o.Claims, c => Assert.True(c.MinValuesRelaxed, $"{c.Name} should be marked MinValuesRelaxed"));
        Assert.All(o.Claims, c => Assert.Equal(2, c.InstanceTypeOptions.Select(FamilyOf).Distinct().Count()));
    }

    [Fact]
    public void WithEnoughFamiliesTheOptionsSpanAtLeastMinValuesFamilies()
    {
        var o = Catalog(bigFamilyC: true).Replicas(2, "web", cpu: "2", memory: "1Gi").Solve();

        Assert.Empty(o.Result.Unschedulable);
        Assert.All(o.Claims, c =>
        {
            Assert.False(c.MinValuesRelaxed);
            Assert.True(c.InstanceTypeOptions.Select(FamilyOf).Distinct().Count() >= 3, string.Join(",", c.InstanceTypeOptions));
        });
    }

    [Fact]
    public void MinValuesIsMetEvenWhenTheCheapestTypesShareAFamily()
    {
        var o = new Scenario()
            .Type("a-1", "4", "8Gi", 0.10, t => t.Label(TestLabels.Family, "a"))
            .Type("a-2", "4", "8Gi", 0.11, t => t.Label(TestLabels.Family, "a"))
            .Type("a-3", "4", "8Gi", 0.12, t => t.Label(TestLabels.Family, "a"))
            .Type("b-1", "4", "8Gi", 0.50, t => t.Label(TestLabels.Family, "b"))
            .Pool(new NodePoolBuilder().Requirement(TestLabels.Family, RequirementOperator.In, 2, "a", "b"))
            .Pod(new PodBuilder("web", "1", "1Gi"))
            .Solve();

        var claim = Assert.Single(o.Claims);
        Assert.Contains("b-1", claim.InstanceTypeOptions);
        Assert.Equal(2, claim.InstanceTypeOptions.Select(FamilyOf).Distinct().Count());
        Assert.Equal("a-1", claim.InstanceType);
    }

    private static string FamilyOf(string type) => type[..type.IndexOf('-', StringComparison.Ordinal)];
}
