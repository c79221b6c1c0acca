using CsCheck;
using Karpenter.Orleans.Cli.Fleet;

namespace Karpenter.Orleans.Scheduling.Tests.Cli;

/// <summary>
/// <c>karpo -l</c> reads kubectl's selector syntax into the solver's matcher: each form means what it means to kubectl
/// (<c>!=</c> and <c>notin</c> hold when the label is missing), requirements are ANDed, and a bad one is an error
/// naming it.
/// </summary>
public sealed class LabelSelectorParserTests
{
    private static readonly Dictionary<string, string> Spot = new(StringComparer.Ordinal)
    {
        ["karpenter.sh/nodepool"] = "general",
        ["karpenter.sh/capacity-type"] = "spot",
        ["topology.kubernetes.io/zone"] = "us-east-1a",
    };

    [Theory]
    [InlineData("karpenter.sh/nodepool=general", true)]
    [InlineData("karpenter.sh/nodepool==general", true)]
    [InlineData("karpenter.sh/nodepool=batch", false)]
    [InlineData("karpenter.sh/nodepool!=batch", true)]
    [InlineData("karpenter.sh/nodepool!=general", false)]
    [InlineData("node.kubernetes.io/instance-type!=m5.large", true)]
    [InlineData("karpenter.sh/capacity-type in (spot,on-demand)", true)]
    [InlineData("karpenter.sh/capacity-type in (on-demand)", false)]
    [InlineData("karpenter.sh/capacity-type notin (on-demand, reserved)", true)]
    [InlineData("karpenter.sh/capacity-type notin (spot)", false)]
    [InlineData("node.kubernetes.io/instance-type notin (m5.large)", true)]
    [InlineData("topology.kubernetes.io/zone", true)]
    [InlineData("node.kubernetes.io/instance-type", false)]
    [InlineData("!node.kubernetes.io/instance-type", true)]
    [InlineData("!topology.kubernetes.io/zone", false)]
    [InlineData("karpenter.sh/nodepool=general,karpenter.sh/capacity-type in (spot),!node.kubernetes.io/instance-type", true)]
    [InlineData("karpenter.sh/nodepool=general, karpenter.sh/capacity-type=on-demand", false)]
    [InlineData("karpenter.sh/nodepool=general,karpenter.sh/nodepool=batch", false)]
    public void EachFormMeansWhatItMeansToKubectl(string selector, bool matches) =>
        Assert.Equal(matches, LabelSelectorParser.Parse(selector).Matches(Spot));

    [Theory]
    [InlineData("", "empty")]
    [InlineData("a=1,,b=2", "empty requirement")]
    [InlineData("zone in (a,b", "unclosed")]
    [InlineData("zone in a,b)", "unbalanced")]
    [InlineData("zone within (a)", "KEY in (A,B)")]
    [InlineData("cpu>4", "is not a requirement")]
    [InlineData("bad key=1", "not a valid label key")]
    [InlineData("zone=a b", "not a valid label value")]
    [InlineData("zone in (a,-b)", "not a valid label value")]
    public void ABadSelectorSaysWhatIsWrong(string selector, string message)
    {
        var error = Assert.Throws<FormatException>(() => LabelSelectorParser.Parse(selector));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABadSelectorIsAUsageError()
    {
        var run = Karpo.Run("nodeclaims", "-l", "zone in (a", "--server", "http://fleet.test");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("-l 'zone in (a': unclosed '('", run.Stderr, StringComparison.Ordinal);
    }

    /// <summary>Any selector of any forms, written as kubectl text, matches exactly the label sets every requirement accepts.</summary>
    [Fact]
    public void TheParsedSelectorIsTheConjunctionOfItsRequirements()
    {
        string[] keys = ["a", "b", "example.com/c"];
        string[] values = ["x", "y", "z"];
        var genKey = Gen.OneOf(keys);
        var genValue = Gen.OneOf(values);
        var genSet = Gen.OneOf(values).HashSet[1, 3];
        var genRequirement = Gen.OneOf(
            Gen.Select(genKey, genValue, (k, v) => ($"{k}={v}", (Func<IDictionary<string, string>, bool>)(l => l.TryGetValue(k, out var a) && a == v))),
            Gen.Select(genKey, genValue, (k, v) => ($"{k}!={v}", (Func<IDictionary<string, string>, bool>)(l => !l.TryGetValue(k, out var a) || a != v))),
            Gen.Select(genKey, genSet, (k, s) => ($"{k} in ({string.Join(",", s)})", (Func<IDictionary<string, string>, bool>)(l => l.TryGetValue(k, out var a) && s.Contains(a)))),
            Gen.Select(genKey, genSet, (k, s) => ($"{k} notin ({string.Join(",", s)})", (Func<IDictionary<string, string>, bool>)(l => !l.TryGetValue(k, out var a) || !s.Contains(a)))),
            genKey.Select(k => (k, (Func<IDictionary<string, string>, bool>)(l => l.ContainsKey(k)))),
            genKey.Select(k => ($"!{k}", (Func<IDictionary<string, string>, bool>)(l => !l.ContainsKey(k)))));
        var genLabels = Gen.Select(genKey, genValue).Array[0, 3]
            .Select(pairs => (IDictionary<string, string>)pairs.GroupBy(p => p.Item1).ToDictionary(g => g.Key, g => g.First().Item2, StringComparer.Ordinal));

        Gen.Select(genRequirement.Array[1, 4], genLabels).Sample(
            (requirements, labels) =>
            {
                var text = string.Join(",", requirements.Select(r => r.Item1));
                var expected = requirements.All(r => r.Item2(labels));
                return LabelSelectorParser.Parse(text).Matches(labels) == expected;
            },
            iter: 2000,
            print: t => $"{string.Join(",", t.Item1.Select(r => r.Item1))} on {{{string.Join(",", t.Item2.Select(p => $"{p.Key}={p.Value}"))}}}");
    }
}
