using Karpenter.Orleans.Cli.Fleet;
using YamlDotNet.RepresentationModel;

namespace Karpenter.Orleans.Scheduling.Tests.Cli;

/// <summary>
/// <c>-o yaml</c> writes strings that YAML would read as another type (numbers, booleans, null, timestamps) quoted, so a
/// YAML reader gets back the JSON's strings (keys too: YAML 1.1 reads a bare <c>on</c> as true); numbers, booleans and
/// null stay plain.
/// </summary>
public sealed class FleetYamlTests
{
    private sealed record Sample(string Account, string Flag, string Empty, string Time, string Word, string Colon, string? Missing, double Price, bool On, int[] None);

    [Fact]
    public void StringsThatLookLikeOtherTypesAreQuoted()
    {
        var yaml = FleetYaml.Write(new Sample("111122223333", "true", "", "2025-06-01T12:00:00+00:00", "us-east-1", "no fit: too big", null, 0.192, true, []));

        Assert.Equal(
            """
            account: "111122223333"
            flag: "true"
            empty: ""
            time: "2025-06-01T12:00:00+00:00"
            word: us-east-1
            colon: 'no fit: too big'
            missing: null
            price: 0.192
            "on": true
            none: []
            """.ReplaceLineEndings("\n"),
            yaml);
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        Assert.Equal("111122223333", ((YamlScalarNode)root["account"]).Value);
        Assert.Equal("no fit: too big", ((YamlScalarNode)root["colon"]).Value);
    }
}
