using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Provisioning;
using Karpenter.Orleans.Scheduling.Resources;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Provisioning;

/// <summary>The offerings a NodeClaim's launch may fall back along, and in which order.</summary>
public sealed class LaunchOfferingsTests
{
    private static readonly IReadOnlyDictionary<string, InstanceType> Types = new CatalogBuilder("zone-a", "zone-b", "zone-c")
        .Type("s2", "2", "4Gi", 0.10, t => t.OnDemand(0.10, "zone-a", "zone-b", "zone-c").Spot(0.03, "zone-a", "zone-b").Offering("zone-c", CapacityTypes.Spot, 0.02, available: false))
        .Type("m4", "4", "8Gi", 0.20, t => t.OnDemand(0.20, "zone-a", "zone-b").Spot(0.05, "zone-c"))
        .Type("l8", "8", "16Gi", 0.40, t => t.OnDemand(0.40, "zone-a").Spot(0.04, "zone-b"))
        .Build().InstanceTypes.ToDictionary(t => t.Name);

    private static PlannedNodeClaim Plan(string type, string zone, string capacityType, double price, RequirementSet? requirements = null, params string[] options) => new()
    {
        Name = "default-1",
        NodePool = "default",
        InstanceType = type,
        Zone = zone,
        CapacityType = capacityType,
        PricePerHour = price,
        InstanceTypeOptions = options.Length > 0 ? options : ["s2", "m4", "l8"],
        Labels = new Dictionary<string, string>(),
        Taints = [],
        Requests = ResourceVector.Zero,
        Pods = ["default/web"],
        Requirements = requirements ?? RequirementSet.Empty,
    };

    [Fact]
    public void The_planned_offering_comes_first_then_the_others_by_price_across_types_and_zones()
    {
        var offerings = LaunchOfferings.For(Plan("m4", "zone-a", CapacityTypes.OnDemand, 0.20), Types);

        Assert.Equal(("m4", "zone-a", CapacityTypes.OnDemand), (offerings[0].InstanceType, offerings[0].Zone, offerings[0].CapacityType));
        var rest = offerings.Skip(1).Select(o => o.PricePerHour).ToList();
        Assert.Equal(rest.Order(), rest);
        Assert.Equal(("s2", "zone-a", CapacityTypes.Spot), (offerings[1].InstanceType, offerings[1].Zone, offerings[1].CapacityType));
        Assert.Equal(("l8", "zone-b", CapacityTypes.Spot), (offerings[3].InstanceType, offerings[3].Zone, offerings[3].CapacityType));
    }

    [Fact]
    public void Unavailable_offerings_are_left_out()
    {
        var offerings = LaunchOfferings.For(Plan("s2", "zone-a", CapacityTypes.OnDemand, 0.10), Types);

        Assert.DoesNotContain(offerings, o => o is { InstanceType: "s2", Zone: "zone-c", CapacityType: CapacityTypes.Spot });
        Assert.Equal(10, offerings.Count);
    }

    [Fact]
    public void The_claims_zone_and_capacity_type_requirements_narrow_the_offerings()
    {
        var reqs = RequirementSet.Of(Requirement.In(WellKnownLabels.Zone, "zone-a", "zone-b"), Requirement.In(WellKnownLabels.CapacityType, CapacityTypes.OnDemand));

        var offerings = LaunchOfferings.For(Plan("s2", "zone-a", CapacityTypes.OnDemand, 0.10, reqs), Types);

        Assert.All(offerings, o => Assert.Contains(o.Zone, new[] { "zone-a", "zone-b" }));
        Assert.All(offerings, o => Assert.Equal(CapacityTypes.OnDemand, o.CapacityType));
        Assert.Equal(5, offerings.Count);
    }

    [Fact]
    public void Only_the_claims_instance_type_options_still_in_the_catalog_are_used()
    {
        var offerings = LaunchOfferings.For(Plan("s2", "zone-a", CapacityTypes.OnDemand, 0.10, null, "s2", "retired", "s2"), Types);

        Assert.All(offerings, o => Assert.Equal("s2", o.InstanceType));
        Assert.Equal(offerings.Count, offerings.Distinct().Count());
        Assert.Equal(5, offerings.Count);
    }

    [Fact]
    public void A_price_ceiling_leaves_out_dearer_offerings()
    {
        var offerings = LaunchOfferings.For(Plan("s2", "zone-b", CapacityTypes.Spot, 0.03), Types, maxPricePerHour: 0.05 + 1e-9);

        Assert.All(offerings, o => Assert.True(o.PricePerHour <= 0.05 + 1e-9));
        Assert.Equal(4, offerings.Count);
    }

    [Fact]
    public void The_limit_cuts_the_dearest_fallbacks_and_keeps_the_planned_offering()
    {
        var all = LaunchOfferings.For(Plan("l8", "zone-a", CapacityTypes.OnDemand, 0.40), Types);

        var cut = LaunchOfferings.For(Plan("l8", "zone-a", CapacityTypes.OnDemand, 0.40), Types, maxOfferings: 3);

        Assert.Equal(all.Take(3), cut);
        Assert.Equal("l8", cut[0].InstanceType);
        Assert.Equal([0.03, 0.03], cut.Skip(1).Select(o => o.PricePerHour));
    }

    [Fact]
    public void A_limit_below_one_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LaunchOfferings.For(Plan("s2", "zone-a", CapacityTypes.OnDemand, 0.10), Types, maxOfferings: 0));
    }
}
