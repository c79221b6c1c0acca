using Karpenter.Orleans.Scheduling.Tests.TestSupport;
using System.Text.Json;
using Karpenter.Orleans.Scheduling.Manifests;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Tests.Manifests;

public sealed class CatalogLoaderTests
{
    private const string SharedCatalog = "/work/shared/data/aws-us-east-1-instance-types.json";

    private const string Small = """
        {
          "zones": ["zone-a", "zone-b"],
          "region": "test-1",
          "instanceTypes": [
            {
              "name": "m5.large",
              "labels": { "kubernetes.io/arch": "amd64", "karpenter.k8s.aws/instance-family": "m5" },
              "capacity": { "cpu": "2", "memory": "8Gi", "pods": "29" },
              "allocatable": { "cpu": "1930m", "memory": "6903Mi", "pods": "29" },
              "offerings": [
                { "zone": "zone-a", "capacityType": "spot", "price": 0.035, "available": true },
                { "zone": "zone-b", "capacityType": "on-demand", "price": 0.096, "available": false },
                { "zone": "zone-b", "capacityType": "reserved", "price": 0.05 }
              ],
              "onDemandPricePerHour": 0.096
            },
            {
              "name": "c5.xlarge",
              "labels": { "kubernetes.io/arch": "amd64" },
              "allocatable": { "cpu": "3920m", "memory": "6584Mi", "pods": 58, "nvidia.com/gpu": "1" },
              "onDemandPricePerHour": 0.17
            }
          ]
        }
        """;

    [Fact]
    public void ExplicitOfferingsAreUsedAsWritten()
    {
        var catalog = LoadText(Small);

        Assert.Equal(["zone-a", "zone-b"], catalog.Zones);
        Assert.Equal("test-1", catalog.Region);
        var m5 = catalog.InstanceTypes[0];
        Assert.Equal("m5.large", m5.Name);
        Assert.Equal(
            [new Offering("zone-a", CapacityTypes.Spot, 0.035, true), new Offering("zone-b", CapacityTypes.OnDemand, 0.096, false), new Offering("zone-b", CapacityTypes.Reserved, 0.05, true)],
            m5.Offerings);
        Assert.Equal(new ResourceVector(2000, 8L << 30, 29), m5.Capacity);
        Assert.Equal(new ResourceVector(1930, 6903L << 20, 29), m5.Allocatable);
        Assert.Equal("m5", m5.Labels["karpenter.k8s.aws/instance-family"]);
        Assert.Equal("m5.large", m5.Labels[WellKnownLabels.InstanceType]);
    }

    [Fact]
    public void MissingOfferingsMeanOnDemandAndRuleDerivedSpotInEveryZone()
    {
        var c5 = LoadText(Small).InstanceTypes[1];

        Assert.Equal(
            [
                new Offering("zone-a", CapacityTypes.OnDemand, 0.17), new Offering("zone-a", CapacityTypes.Spot, SpotPriceRule.Price("c5.xlarge", "zone-a", 0.17m)),
                new Offering("zone-b", CapacityTypes.OnDemand, 0.17), new Offering("zone-b", CapacityTypes.Spot, SpotPriceRule.Price("c5.xlarge", "zone-b", 0.17m)),
            ],
            c5.Offerings);
        Assert.All(c5.Offerings, o => Assert.True(o.Available));
        // capacity defaults to allocatable; numbers are quantities too.
        Assert.Equal(c5.Allocatable, c5.Capacity);
        Assert.Equal((58L, 1000L), (c5.Allocatable.Pods, c5.Allocatable.Get("nvidia.com/gpu")));
    }

    [Fact]
    public void RealCatalogLoadsEveryTypeWithPricedOfferings()
    {
        var path = RealCatalogPath();
        using var source = JsonDocument.Parse(File.ReadAllBytes(path));
        var onDemand = source.RootElement.GetProperty("instanceTypes").EnumerateArray()
            .ToDictionary(t => t.GetProperty("name").GetString()!, t => t.GetProperty("onDemandPricePerHour").GetDouble());

        var catalog = CatalogLoader.Load(path);

        Assert.Equal(1345, catalog.InstanceTypes.Count);
        Assert.Equal("us-east-1", catalog.Region);
        Assert.Equal(6, catalog.Zones.Count);
        foreach (var type in catalog.InstanceTypes)
        {
            Assert.Equal(12, type.Offerings.Count);
            Assert.True(type.Allocatable.MilliCpu > 0 && type.Allocatable.Memory > 0 && type.Allocatable.Pods > 0, type.Name);
            foreach (var zone in catalog.Zones)
            {
                var od = Assert.Single(type.Offerings, o => o.Zone == zone && o.CapacityType == CapacityTypes.OnDemand);
                var spot = Assert.Single(type.Offerings, o => o.Zone == zone && o.CapacityType == CapacityTypes.Spot);
                Assert.Equal(onDemand[type.Name], od.Price);
                // 30-70% of on-demand, give or take the rounding to 6 decimals.
                Assert.InRange(spot.Price, (od.Price * 0.30) - 5e-7, (od.Price * 0.70) + 5e-7);
            }
        }

        var m5 = Assert.Single(catalog.InstanceTypes, t => t.Name == "m5.large");
        Assert.Equal((1930L, 6903L << 20, 29L, 17L << 30), (m5.Allocatable.MilliCpu, m5.Allocatable.Memory, m5.Allocatable.Pods, m5.Allocatable.EphemeralStorage));
        Assert.Equal(9000, m5.Allocatable.Get("vpc.amazonaws.com/pod-eni"));
        Assert.Equal("amd64", m5.Labels[WellKnownLabels.Arch]);
    }

    [Fact]
    public void RealCatalogSpotPricesFollowTheDocumentedRule()
    {
        var catalog = CatalogLoader.Load(RealCatalogPath());

        // Expected values computed independently (Python) from docs/catalog.md's rule.
        Assert.Equal(0.032456, Spot(catalog, "m5.large", "us-east-1a"));
        Assert.Equal(0.050246, Spot(catalog, "m5.large", "us-east-1b"));
        Assert.Equal(0.084587, Spot(catalog, "c6g.xlarge", "us-east-1f"));
        Assert.Equal(0.011453, Spot(catalog, "a1.medium", "us-east-1c"));
        // 0.1185 x 0.659 is exactly 0.0780915: decimal arithmetic rounds it up, binary doubles would not.
        Assert.Equal(0.078092, Spot(catalog, "c8gn.large", "us-east-1d"));
        // Stable across loads.
        Assert.Equal(
            catalog.InstanceTypes.SelectMany(t => t.Offerings),
            CatalogLoader.Load(RealCatalogPath()).InstanceTypes.SelectMany(t => t.Offerings));
    }

    [Theory]
    [InlineData("", 0xcbf29ce484222325UL)]
    [InlineData("a", 0xaf63dc4c8601ec8cUL)]
    [InlineData("foobar", 0x85944171f73967e8UL)]
    public void SpotRuleHashIsFnv1a64(string text, ulong expected)
    {
        Assert.Equal(expected, SpotPriceRule.Fnv1a64(text));
    }

    [Fact]
    public void SpotRuleSpreadsPricesAcrossTheRange()
    {
        var fractions = Enumerable.Range(0, 2000).Select(i => SpotPriceRule.Fraction($"type-{i}", "zone-a")).ToList();

        Assert.All(fractions, f => Assert.InRange(f, 0.30m, 0.70m));
        Assert.True(fractions.Min() < 0.32m && fractions.Max() > 0.68m, "the rule should use the whole 30-70% range");
        Assert.NotEqual(SpotPriceRule.Fraction("m5.large", "zone-a"), SpotPriceRule.Fraction("m5.large", "zone-b"));
    }

    [Theory]
    [InlineData("""{ "instanceTypes": [] }""", "zones", "required")]
    [InlineData("""{ "zones": [], "instanceTypes": [] }""", "zones", "at least one zone")]
    [InlineData("""{ "zones": ["a", "a"], "instanceTypes": [] }""", "zones[1]", "duplicate zone")]
    [InlineData("""{ "zones": ["a"] }""", "instanceTypes", "required")]
    [InlineData("""{ "zones": ["a"], "instanceTypes": [ { "allocatable": { "cpu": "1" }, "onDemandPricePerHour": 1 } ] }""", "instanceTypes[0].name", "required")]
    [InlineData("""{ "zones": ["a"], "instanceTypes": [ { "name": 5 } ] }""", "instanceTypes[0].name", "expected a string")]
    [InlineData("""{ "zones": ["a"], "instanceTypes": [ { "name": "t", "onDemandPricePerHour": 1 } ] }""", "instanceTypes[0].allocatable", "required")]
    [InlineData("""{ "zones": ["a"], "instanceTypes": [ { "name": "t", "allocatable": { "cpu": "1" } } ] }""", "instanceTypes[0].onDemandPricePerHour", "required when offerings are absent")]
    [InlineData("""{ "zones": ["a"], "instanceTypes": [ { "name": "t", "allocatable": { "cpu": "1" }, "onDemandPricePerHour": -0.1 } ] }""", "instanceTypes[0].onDemandPricePerHour", "negative")]
    [InlineData("""{ "zones": ["a"], "instanceTypes": [ { "name": "t", "allocatable": { "cpu": "1" }, "onDemandPricePerHour": "cheap" } ] }""", "instanceTypes[0].onDemandPricePerHour", "expected a price")]
    [InlineData("""{ "zones": ["a"], "instanceTypes": [ { "name": "t", "allocatable": { "cpu": "1", "memory": "-1Gi" }, "onDemandPricePerHour": 1 } ] }""", "instanceTypes[0].allocatable.memory", "negative")]
    [InlineData("""{ "zones": ["a"], "instanceTypes": [ { "name": "t", "allocatable": { "cpu": "1" }, "capacity": { "cpu": "two" }, "onDemandPricePerHour": 1 } ] }""", "instanceTypes[0].capacity.cpu", "not a Kubernetes quantity")]
    [InlineData("""{ "zones": ["a"], "instanceTypes": [ { "name": "t", "allocatable": { "cpu": "1" }, "offerings": [ { "zone": "a", "capacityType": "preemptible", "price": 1 } ] } ] }""", "instanceTypes[0].offerings[0].capacityType", "unknown capacity type \"preemptible\"")]
    [InlineData("""{ "zones": ["a"], "instanceTypes": [ { "name": "t", "allocatable": { "cpu": "1" }, "offerings": [ { "zone": "b", "capacityType": "spot", "price": 1 } ] } ] }""", "instanceTypes[0].offerings[0].zone", "zone \"b\" is not in zones")]
    [InlineData("""{ "zones": ["a"], "instanceTypes": [ { "name": "t", "allocatable": { "cpu": "1" }, "offerings": [ { "zone": "a", "capacityType": "spot", "price": -1 } ] } ] }""", "instanceTypes[0].offerings[0].price", "negative")]
    [InlineData("""{ "zones": ["a"], "instanceTypes": [ { "name": "t", "allocatable": { "cpu": "1" }, "offerings": [ { "zone": "a", "capacityType": "spot" } ] } ] }""", "instanceTypes[0].offerings[0].price", "required")]
    [InlineData("""{ "zones": ["a"], "instanceTypes": [ { "name": "t", "allocatable": { "cpu": "1" }, "labels": { "topology.kubernetes.io/zone": "a" }, "onDemandPricePerHour": 1 } ] }""", "instanceTypes[0].labels.topology.kubernetes.io/zone", "follows from each offering")]
    public void InvalidCatalogIsRejectedNamingTheField(string json, string field, string problem)
    {
        using var dir = new ScratchFolder();
        var file = dir.Write("catalog.json", json);

        var ex = Assert.Throws<ManifestException>(() => CatalogLoader.Load(file));

        ManifestAssert.AssertLocated(ex, file, null, field, problem);
    }

    [Fact]
    public void BadQuantityDeepInTheCatalogNamesItsIndexAndType()
    {
        var types = Enumerable.Range(0, 13).Select(i => $$"""{ "name": "t{{i}}", "allocatable": { "cpu": "1", "memory": "{{(i == 12 ? "lots" : "1Gi")}}" }, "onDemandPricePerHour": 1 }""");
        using var dir = new ScratchFolder();
        var file = dir.Write("catalog.json", $$"""{ "zones": ["a"], "instanceTypes": [ {{string.Join(",\n", types)}} ] }""");

        var ex = Assert.Throws<ManifestException>(() => CatalogLoader.Load(file));

        ManifestAssert.AssertLocated(ex, file, null, "instanceTypes[12].allocatable.memory", "\"lots\" is not a Kubernetes quantity");
        Assert.Contains("t12", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateTypeNamesAreRejected()
    {
        using var dir = new ScratchFolder();
        var file = dir.Write("catalog.json", """
            { "zones": ["a"], "instanceTypes": [
              { "name": "t", "allocatable": { "cpu": "1" }, "onDemandPricePerHour": 1 },
              { "name": "u", "allocatable": { "cpu": "1" }, "onDemandPricePerHour": 1 },
              { "name": "t", "allocatable": { "cpu": "2" }, "onDemandPricePerHour": 2 } ] }
            """);

        var ex = Assert.Throws<ManifestException>(() => CatalogLoader.Load(file));

        ManifestAssert.AssertLocated(ex, file, null, "instanceTypes[2].name", "duplicate instance type \"t\" (first at instanceTypes[0])");
    }

    [Fact]
    public void MalformedJsonNamesTheLine()
    {
        using var dir = new ScratchFolder();
        var file = dir.Write("catalog.json", "{\n  \"zones\": [\"a\"],\n  \"instanceTypes\": [ { \"name\": 5 \n");

        var ex = Assert.Throws<ManifestException>(() => CatalogLoader.Load(file));

        ManifestAssert.AssertLocated(ex, file, null, null, "malformed JSON");
        Assert.Matches(@": line [34], column \d+: ", ex.Message);
    }

    [Fact]
    public void MissingCatalogFileIsRejectedNamingThePath()
    {
        using var dir = new ScratchFolder();
        var missing = Path.Combine(dir.Path, "nope.json");

        var ex = Assert.Throws<ManifestException>(() => CatalogLoader.Load(missing));

        ManifestAssert.AssertLocated(ex, missing, null, null, "no such file");
    }

    private static double Spot(InstanceTypeCatalog catalog, string type, string zone) =>
        catalog.InstanceTypes.Single(t => t.Name == type).Offerings.Single(o => o.Zone == zone && o.CapacityType == CapacityTypes.Spot).Price;

    private static InstanceTypeCatalog LoadText(string json)
    {
        using var dir = new ScratchFolder();
        return CatalogLoader.Load(dir.Write("catalog.json", json));
    }

    /// <summary>The copy shipped in the repository's data/ folder, else the shared one the repository was seeded from.</summary>
    private static string RealCatalogPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "data", "aws-us-east-1-instance-types.json");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return SharedCatalog;
    }
}
