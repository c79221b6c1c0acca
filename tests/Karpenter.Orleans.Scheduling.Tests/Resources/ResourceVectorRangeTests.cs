using k8s.Models;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Tests.Resources;

/// <summary>The solver's fixed-point range: where it ends, and that arithmetic past it saturates instead of wrapping.</summary>
public sealed class ResourceVectorRangeTests
{
    [Theory]
    [InlineData("cpu", "9007199254740992m", true)]
    [InlineData("cpu", "9007199254740993m", false)]
    [InlineData("cpu", "99999999999999999999999", false)]
    [InlineData("cpu", "1e30", false)]
    [InlineData("cpu", "-6", false)]
    [InlineData("memory", "8Pi", true)]
    [InlineData("memory", "9007199254740993", false)]
    [InlineData("memory", "-4Gi", false)]
    [InlineData("pods", "9007199254740992", true)]
    [InlineData("nvidia.com/gpu", "9007199254740993m", false)]
    [InlineData("memory", "-0", true)]
    public void The_range_is_two_to_the_53_units_and_nothing_negative(string resource, string text, bool accepted)
    {
        var problem = QuantityLimits.Problem(resource, new ResourceQuantity(text));

        Assert.Equal(accepted, problem is null);
        if (accepted)
        {
            Assert.True(ResourceVector.FromQuantities([new(resource, new ResourceQuantity(text))]).Get(resource) <= QuantityLimits.MaxUnits);
        }
    }

    [Theory]
    [InlineData("39m", "39/0m")]
    [InlineData("0", "0/0")]
    [InlineData("7e3", "7/0e3")]
    public void A_zero_denominator_is_refused_however_often_a_value_of_its_format_was_accepted(string accepted, string refused)
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.Null(QuantityLimits.Problem("cpu", new ResourceQuantity(accepted)));
            Assert.Equal("is not a Kubernetes quantity (like 500m, 2 or 4Gi)", QuantityLimits.Problem("cpu", new ResourceQuantity(refused)));
        }
    }

    [Fact]
    public void Negative_values_are_shown_as_written()
    {
        Assert.Equal("-6", QuantityLimits.Display("cpu", new ResourceQuantity("-6")));
        Assert.Equal("-4Gi", QuantityLimits.Display("memory", new ResourceQuantity("-4Gi")));
        Assert.Equal("1e30", QuantityLimits.Display("cpu", new ResourceQuantity("1e30")));
    }

    [Fact]
    public void A_quantity_past_the_range_that_reaches_the_vector_throws_naming_the_resource()
    {
        var ex = Assert.Throws<OverflowException>(() => ResourceVector.FromQuantities([new("cpu", new ResourceQuantity("1e30"))]));

        Assert.Contains("'cpu'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sums_and_products_saturate_instead_of_wrapping()
    {
        var max = new ResourceVector(QuantityLimits.MaxUnits, QuantityLimits.MaxUnits, 1, extended: System.Collections.Immutable.ImmutableSortedDictionary.CreateRange(
            StringComparer.Ordinal, [new KeyValuePair<string, long>("nvidia.com/gpu", QuantityLimits.MaxUnits)]));
        var sum = ResourceVector.Zero;
        for (var i = 0; i < 2000; i++)
        {
            sum += max;
        }

        Assert.Equal(long.MaxValue, sum.MilliCpu);
        Assert.Equal(long.MaxValue, sum.Memory);
        Assert.Equal(2000, sum.Pods);
        Assert.Equal(long.MaxValue, sum.Get("nvidia.com/gpu"));
        Assert.Equal(long.MaxValue, (max * 5000).MilliCpu);
        Assert.Equal(long.MinValue, (ResourceVector.Zero - sum - sum).MilliCpu);
        Assert.False(sum.FitsIn(max));
        Assert.Equal(0, max.HowManyFit(sum));
        Assert.Equal(1, ResourceVector.HowManyFit(sum, ResourceVector.Zero - sum, sum));
    }
}
