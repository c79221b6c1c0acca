using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Provisioning;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Tests.Provisioning;

/// <summary>Which planned claims a cluster's spend cap lets through, given what its live claims already cost.</summary>
public sealed class SpendCapTests
{
    private static PlannedNodeClaim Plan(string name, double price) => new()
    {
        Name = name,
        NodePool = "default",
        InstanceType = "m4",
        Zone = "zone-a",
        CapacityType = CapacityTypes.OnDemand,
        PricePerHour = price,
        InstanceTypeOptions = ["m4"],
        Labels = new Dictionary<string, string>(),
        Taints = [],
        Requests = ResourceVector.Zero,
        Pods = [$"default/{name}"],
    };

    [Fact]
    public void Without_a_cap_every_claim_is_admitted_in_order()
    {
        var planned = new[] { Plan("a", 5), Plan("b", 50) };

        var admission = SpendCap.Admit(planned, committedPerHour: 1000, capPerHour: null);

        Assert.Equal(planned, admission.Admitted);
        Assert.Empty(admission.Held);
    }

    [Fact]
    public void Claims_are_admitted_while_committed_spend_stays_within_the_cap_and_a_later_cheaper_one_still_fits()
    {
        var planned = new[] { Plan("a", 0.4), Plan("b", 0.5), Plan("c", 0.1) };

        var admission = SpendCap.Admit(planned, committedPerHour: 0.5, capPerHour: 1.0);

        Assert.Equal(["a", "c"], admission.Admitted.Select(p => p.Name));
        var held = Assert.Single(admission.Held);
        Assert.Equal("b", held.NodeClaim.Name);
        Assert.Contains("cluster spend cap $1/h reached", held.Reason, StringComparison.Ordinal);
        Assert.Contains("$0.9/h committed", held.Reason, StringComparison.Ordinal);
        Assert.Contains("$0.5/h", held.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_claim_that_lands_exactly_on_the_cap_is_admitted()
    {
        var admission = SpendCap.Admit([Plan("a", 0.1), Plan("b", 0.2)], committedPerHour: 0.7, capPerHour: 1.0);

        Assert.Equal(2, admission.Admitted.Count);
    }

    [Fact]
    public void Spend_already_over_the_cap_holds_everything()
    {
        var admission = SpendCap.Admit([Plan("a", 0.01)], committedPerHour: 2, capPerHour: 1);

        Assert.Empty(admission.Admitted);
        Assert.Single(admission.Held);
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_cap_that_is_not_a_finite_non_negative_price_is_refused(double cap)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SpendCap.Admit([Plan("a", 1)], 0, cap));
    }

    [Fact]
    public void Under_a_cap_a_launch_falls_back_to_no_dearer_offering_than_the_one_admitted()
    {
        var plan = Plan("a", 0.25);

        Assert.Equal(0.25, SpendCap.LaunchCeiling(plan, capped: true), 6);
        Assert.True(SpendCap.LaunchCeiling(plan, capped: true) < 0.2500001);
        Assert.Equal(double.PositiveInfinity, SpendCap.LaunchCeiling(plan, capped: false));
    }
}
