using Karpenter.Orleans.Scheduling.Manifests;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Karpenter.Orleans.Scheduling.Tests.Manifests;

/// <summary>
/// The manifest reader's parser on YamlDotNet's scanner gives YamlDotNet's own parser's events (kind, text, style and
/// where each node starts), and refuses what it does not take, so such a file goes to the full reader.
/// </summary>
public sealed class YamlTokenParserTests
{
    [Theory]
    [InlineData("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {app: web, tier: \"1\"}\n")]
    [InlineData("spec:\n  containers:\n  - name: app\n    args: [a, 'b', \"c\",]\n  - name: side\n    ports:\n    - containerPort: 80\n")]
    [InlineData("a:\nb: ~\nc: null\nd: ''\ne:\n  - \n  -\n  - x\nf: {g, h: }\n")]
    [InlineData("--- \nkind: A\n...\n---\nkind: B\n---\n# only a comment\n---\n")]
    [InlineData("note: |\n  two\n  lines\nfolded: >\n  one\n  line\n# trailing comment\n")]
    [InlineData("list:\n- - a\n  - b\n- {x: [1, {y: 2}]}\n- []\n- {}\n")]
    [InlineData("kind: List\nitems:\n- kind: Pod\n  metadata: {name: p}\n- kind: Pod\n  metadata:\n    name: q\n")]
    [InlineData("{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"}, \"spec\": {\"containers\": [{\"name\": \"a\"}]}}")]
    [InlineData("")]
    [InlineData("? [a, b]\n: c\n")]
    [InlineData("key: value # comment\n\"quoted key\": 'it''s'\n")]
    public void Gives_the_events_YamlDotNets_parser_gives(string yaml)
    {
        Assert.Equal(ParserEvents(yaml), TokenEvents(yaml));
    }

    [Theory]
    [InlineData("a: &x 1\nb: *x\n")]
    [InlineData("a: !!str 1\n")]
    [InlineData("%YAML 1.2\n---\na: 1\n")]
    [InlineData("a: [b: c]\n")]
    [InlineData("a: b\n  c: d\n")]
    [InlineData("a: [b\n")]
    public void Refuses_what_it_does_not_take(string yaml)
    {
        Assert.Throws<YamlTokenParser.Unsupported>(() => TokenEventsOrUnsupported(yaml));
    }

    private static List<string> ParserEvents(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        var events = new List<string>();
        while (parser.MoveNext())
        {
            var e = parser.Current!;
            events.Add(e switch
            {
                Scalar s => Describe(YamlEventKind.Scalar, s.Start, s.Value, s.Style),
                MappingStart => Describe(YamlEventKind.MappingStart, e.Start),
                MappingEnd => Describe(YamlEventKind.MappingEnd, e.Start),
                SequenceStart => Describe(YamlEventKind.SequenceStart, e.Start),
                SequenceEnd => Describe(YamlEventKind.SequenceEnd, e.Start),
                DocumentStart => YamlEventKind.DocumentStart.ToString(),
                DocumentEnd => YamlEventKind.DocumentEnd.ToString(),
                StreamStart => YamlEventKind.StreamStart.ToString(),
                StreamEnd => YamlEventKind.StreamEnd.ToString(),
                _ => e.GetType().Name,
            });
        }

        return events;
    }

    private static List<string> TokenEvents(string yaml)
    {
        var parser = new YamlTokenParser(new StringReader(yaml));
        var events = new List<string>();
        while (parser.MoveNext())
        {
            var e = parser.Current;
            events.Add(e.Kind switch
            {
                YamlEventKind.Scalar => Describe(e.Kind, e.Start, e.Value, e.Style),
                YamlEventKind.MappingStart or YamlEventKind.MappingEnd or YamlEventKind.SequenceStart or YamlEventKind.SequenceEnd => Describe(e.Kind, e.Start),
                _ => e.Kind.ToString(),
            });
        }

        return events;
    }

    private static void TokenEventsOrUnsupported(string yaml)
    {
        try
        {
            TokenEvents(yaml);
        }
        catch (YamlException)
        {
            // The scanner's own error: the full reader reports it; to the caller it is one more unsupported input.
            throw new YamlTokenParser.Unsupported();
        }
    }

    private static string Describe(YamlEventKind kind, Mark start, string? value = null, ScalarStyle style = ScalarStyle.Any) =>
        value is null ? $"{kind} {start.Line}:{start.Column}" : $"{kind} {start.Line}:{start.Column} {style} '{value}'";
}
