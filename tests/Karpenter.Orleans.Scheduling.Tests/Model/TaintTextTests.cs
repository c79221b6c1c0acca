using k8s.Models;
using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.Scheduling.Tests.Model;

/// <summary>The text form of taints a NodeClaim's launch request and the cluster's index carry.</summary>
public sealed class TaintTextTests
{
    [Theory]
    [InlineData("dedicated", "db", "NoSchedule", "dedicated=db:NoSchedule")]
    [InlineData("example.com/gpu", null, "NoExecute", "example.com/gpu=:NoExecute")]
    [InlineData("spot", "true", "PreferNoSchedule", "spot=true:PreferNoSchedule")]
    public void A_taint_is_written_as_kubectl_takes_it_and_reads_back_the_same(string key, string? value, string effect, string text)
    {
        var taint = new V1Taint { Key = key, Value = value, Effect = effect };

        Assert.Equal(text, TaintText.Format(taint));
        var back = TaintText.Parse(text);
        Assert.Equal((key, value, effect), (back.Key, back.Value, back.Effect));
    }

    [Fact]
    public void A_taint_without_a_value_may_also_be_written_key_colon_effect()
    {
        var taint = TaintText.Parse("example.com/gpu:NoSchedule");

        Assert.Equal(("example.com/gpu", (string?)null, "NoSchedule"), (taint.Key, taint.Value, taint.Effect));
    }

    [Fact]
    public void Without_an_effect_a_taint_is_NoSchedule()
    {
        var taint = TaintText.Parse("dedicated=db");

        Assert.Equal(("dedicated", "db", "NoSchedule"), (taint.Key, taint.Value, taint.Effect));
    }

    [Theory]
    [InlineData("=db:NoSchedule", "key is empty")]
    [InlineData(":NoSchedule", "key is empty")]
    [InlineData("dedicated=db:Sometimes", "Sometimes")]
    public void Text_that_is_not_a_taint_is_an_error_naming_it(string text, string problem)
    {
        var e = Assert.Throws<FormatException>(() => TaintText.Parse(text));

        Assert.Contains(text, e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.False(TaintText.TryParse(text, out var none));
        Assert.Null(none);
    }

    [Fact]
    public void TryParse_reads_what_Parse_reads()
    {
        Assert.True(TaintText.TryParse("dedicated=db:NoExecute", out var taint));
        Assert.Equal("NoExecute", taint.Effect);
        Assert.False(TaintText.TryParse(null, out _));
    }
}
