using System.Text;
using CsCheck;
using Karpenter.Orleans.Cli.Commands;
using Karpenter.Orleans.Scheduling.Manifests;
using YamlDotNet.Core;
using YamlDotNet.Core.Tokens;

namespace Karpenter.Orleans.Scheduling.Tests.Manifests;

/// <summary>
/// The manifest reader's own scanner gives exactly YamlDotNet's scanner's tokens (kind, text, style, start and end
/// with index, line and column) wherever it takes a text, and leaves to YamlDotNet what it does not take, malformed
/// YAML included. Checked on hand-picked texts, on the repository's manifests, on the benchmark's kubectl dumps and on
/// generated and mutated YAML.
/// </summary>
public sealed class ManifestScannerTests
{
    [Theory]
    [InlineData("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {app: web, tier: \"1\"}\n")]
    [InlineData("spec:\n  containers:\n  - name: app\n    args: [a, 'b', \"c\",]\n  - name: side\n    ports:\n    - containerPort: 80\n")]
    [InlineData("a:\nb: ~\nc: null\nd: ''\ne:\n  - \n  -\n  - x\nf: {g, h: }\n")]
    [InlineData("--- \nkind: A\n...\n---\nkind: B\n---\n# only a comment\n---\n")]
    [InlineData("note: |\n  two\n  lines\nstripped: |-\n    four\n\n    deep\n\n\nafter: x\n")]
    [InlineData("list:\n- - a\n  - b\n- {x: [1, {y: 2}]}\n- []\n- {}\n")]
    [InlineData("kind: List\nitems:\n- kind: Pod\n  metadata: {name: p}\n- kind: Pod\n  metadata:\n    name: q\n")]
    [InlineData("{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"}, \"spec\": {\"containers\": [{\"name\": \"a\"}]}}")]
    [InlineData("")]
    [InlineData("key: value # comment\n\"quoted key\": 'it''s'\nescaped: \"a\\\"b\\\\c\\/d\\n\\t\\u00e9\"\n")]
    [InlineData("fieldsV1:\n  f:metadata:\n    f:labels:\n      \".\": {}\n  k:{\"name\":\"app\"}:\n    f:image: {}\n")]
    [InlineData("a: b:c\nurl: http://x/y#z\nneg: -1\ndash: -x\nspaced key : v\nend: last")]
    [InlineData("  indented: root\n  second: 2\n")]
    [InlineData("script: |\n  echo a\n    deeper\n  \n  done")]
    [InlineData("seq:\n  - a\n  -   b   \n  - 'c' # after\n# between\n\n  - |\n    lit\n")]
    [InlineData("---\n- a\n- b\n---\nscalar\n...\n")]
    [InlineData("a:\n  b:\n    c:\n      d: 1\ne: 2\n")]
    public void Gives_YamlDotNets_tokens_for_the_yaml_manifests_are_written_in(string yaml)
    {
        Assert.Equal(YamlDotNetTokens(yaml), OwnTokens(yaml));
    }

    [Theory]
    [InlineData("a: one\n  two\n")]
    [InlineData("a: >\n  folded\n")]
    [InlineData("a: |+\n  kept\n\n")]
    [InlineData("a: 1\r\nb: 2\r\n")]
    [InlineData("a:\tb\n")]
    [InlineData("a: &x 1\nb: *x\n")]
    [InlineData("a: !!str 1\n")]
    [InlineData("%YAML 1.2\n---\na: 1\n")]
    [InlineData("a: [b,\n  c]\n")]
    [InlineData("? a\n: b\n")]
    [InlineData("a: \"two\n  lines\"\n")]
    [InlineData("a: b\nc\n")]
    [InlineData("a: b: c\n")]
    [InlineData("\uFEFFa: 1\n")]
    public void Leaves_to_YamlDotNet_what_it_does_not_take(string yaml)
    {
        Assert.Throws<ManifestScanner.NotTaken>(() => OwnTokens(yaml));
    }

    [Fact]
    public void Gives_YamlDotNets_tokens_for_the_repositorys_manifests()
    {
        var root = Repository();
        var files = new[] { "examples", "deploy", "docs" }
            .Select(d => Path.Combine(root, d))
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*.yaml", SearchOption.AllDirectories))
            .ToList();
        Assert.NotEmpty(files);
        var taken = 0;
        foreach (var file in files)
        {
            var yaml = File.ReadAllText(file);
            if (Compare(yaml) is { } error)
            {
                Assert.Fail($"{file}: {error}");
            }

            taken += TryOwnTokens(yaml) is null ? 0 : 1;
        }

        // Most of them are plain manifests; a scanner that took none would compare nothing.
        Assert.True(taken * 2 > files.Count, $"took {taken} of {files.Count} files");
    }

    [Fact]
    public void Takes_the_benchmarks_yaml_files_and_kubectl_dumps_with_YamlDotNets_tokens()
    {
        var folder = Directory.CreateTempSubdirectory("karpo-scanner-");
        try
        {
            var files = BenchManifests.Write(folder.FullName, pods: 60, seed: 7).Where(f => f.EndsWith(".yaml", StringComparison.Ordinal)).ToList();
            Assert.Equal(3, files.Count);
            foreach (var file in files)
            {
                var yaml = File.ReadAllText(file);
                Assert.Equal(YamlDotNetTokens(yaml), OwnTokens(yaml));
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void On_generated_yaml_it_takes_the_text_and_gives_YamlDotNets_tokens()
    {
        Documents.Sample(yaml => Assert.Equal(YamlDotNetTokens(yaml), OwnTokens(yaml)), iter: 2000);
    }

    [Fact]
    public void On_mutated_yaml_the_reader_gets_the_events_it_gets_through_YamlDotNet_or_the_text_is_left_to_it()
    {
        // Malformed YAML is where the two scanners may part (YamlDotNet reports some errors as tokens, later): what
        // the reader depends on is that the parser's events on the own tokens, when it takes them, are YamlDotNet's.
        var mutated = Documents.SelectMany(yaml => Mutation(yaml).Array[1, 3].Select(edits => edits.Aggregate(yaml, (text, edit) => edit(text))));
        mutated.Sample(yaml => CompareEvents(yaml) is null, iter: 20000, print: yaml => yaml + "\n=> " + CompareEvents(yaml) + "\ntokens: " + Compare(yaml));
    }

    // null when the own tokens give YamlDotNet's tokens, or are left to it; else the first difference.
    private static string? Compare(string yaml)
    {
        var own = TryOwnTokens(yaml);
        if (own is null)
        {
            return null;
        }

        List<string> theirs;
        try
        {
            theirs = YamlDotNetTokens(yaml);
        }
        catch (YamlException ex)
        {
            return $"taken, but YamlDotNet refuses it: {ex.Message}";
        }

        return FirstDifference(own, theirs);
    }

    // null when the parser's events on the own tokens are its events on YamlDotNet's, or the own scanner or the parser
    // leaves the text to the full reader; else the first difference.
    private static string? CompareEvents(string yaml)
    {
        var own = Events(() => new ManifestScanner(yaml));
        if (own is null)
        {
            return null;
        }

        var theirs = Events(() => new Scanner(new StringReader(yaml), skipComments: true));
        return theirs is null ? "the parser takes the own tokens, but not YamlDotNet's" : FirstDifference(own, theirs);
    }

    private static List<string>? Events(Func<IScanner> scanner)
    {
        try
        {
            var parser = new YamlTokenParser(scanner());
            var events = new List<string>();
            while (parser.MoveNext())
            {
                var e = parser.Current;
                events.Add($"{e.Kind} {Describe(e.Start)}-{Describe(e.End)} {e.Style} '{e.Value}'");
            }

            return events;
        }
        catch (Exception ex) when (ex is ManifestScanner.NotTaken or YamlTokenParser.Unsupported or YamlException)
        {
            return null;
        }
    }

    private static string? FirstDifference(List<string> own, List<string> theirs)
    {
        for (var i = 0; i < Math.Max(own.Count, theirs.Count); i++)
        {
            var a = i < own.Count ? own[i] : "(none)";
            var b = i < theirs.Count ? theirs[i] : "(none)";
            if (a != b)
            {
                return $"at {i}: own {a}, YamlDotNet {b}";
            }
        }

        return null;
    }

    private static List<string>? TryOwnTokens(string yaml)
    {
        try
        {
            return OwnTokens(yaml);
        }
        catch (ManifestScanner.NotTaken)
        {
            return null;
        }
    }

    private static List<string> OwnTokens(string yaml) => Tokens(new ManifestScanner(yaml));

    private static List<string> YamlDotNetTokens(string yaml) => Tokens(new Scanner(new StringReader(yaml), skipComments: true));

    private static List<string> Tokens(IScanner scanner)
    {
        var tokens = new List<string>();
        while (scanner.MoveNext())
        {
            var t = scanner.Current!;
            var text = t is Scalar s ? $" {s.Style} '{s.Value}'" : "";
            tokens.Add($"{t.GetType().Name} {Describe(t.Start)}-{Describe(t.End)}{text}");
            if (t is StreamEnd or Error || tokens.Count > 100_000)
            {
                // YamlDotNet repeats an error token for as long as it is asked.
                break;
            }
        }

        tokens.Add($"at {Describe(scanner.CurrentPosition)}");
        return tokens;
    }

    private static string Describe(Mark m) => $"{m.Index}/{m.Line}:{m.Column}";

    private static string Repository()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Karpenter.Orleans.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    // Plain scalars with the characters manifests put in them, and the ones that end or change a scalar.
    private static readonly Gen<string> Plain = Gen.OneOf(
        "v1", "Pod", "app", "100m", "1.5Gi", "-1", "-x", "a:b", "http://x/y#z", "k:{\"name\":\"app\"}", "f:metadata", "a b",
        "null", "~", "true", "0/3 nodes", "x-y_z.w", "é", "x[y]", "a,b", "b{y}", "a#b", "it's", "say \"hi\"");

    private static readonly Gen<string> Quoted = Gen.OneOf(
        "\"\"", "''", "\"False\"", "'it''s'", "\"a\\\"b\"", "\"\\\\\"", "\"tab\\there\"", "\"\\u00e9\"", "\"a: b\"", "'# not a comment'", "\"[x]\"");

    private static readonly Gen<string> Scalar = Gen.Frequency((4, Plain), (2, Quoted));

    private static readonly Gen<string> Flow = Gen.OneOf("{}", "[]", "[a, b]", "['a', \"b\"]", "{a: 1, b: [x]}", "[a, ]", "{k: }", "{\"k\": \"v\"}", "[{}, []]");

    private static readonly Gen<string> Key = Gen.OneOf("name", "apiVersion", "f:spec", "k:{\"name\":\"app\"}", "\".\"", "'quoted'", "a b", "key ", "x-y");

    private static readonly Gen<string> Comment = Gen.OneOf("", "", "", " # note", " #", "  # two");

    private static readonly Gen<Node> Leaf = Gen.Frequency(
        (6, Scalar.Select(s => (Node)new ScalarNode(s))),
        (2, Flow.Select(s => (Node)new ScalarNode(s))),
        (1, Gen.Select(Gen.OneOf("|", "|-", "|2", "| # header"), Gen.OneOf("a", "a b", "x # not a comment", "- b", "c: d"), Gen.OneOf("a", "  deeper", "", "'q'").Array[0, 3])
            .Select((h, first, rest) => (Node)new LiteralNode(h, [first, .. rest]))),
        (1, Gen.Const((Node)new ScalarNode(""))));

    private static readonly Gen<Node> Tree = Gen.Recursive<Node>((depth, tree) => depth >= 4
        ? Leaf
        : Gen.Frequency(
            (3, Leaf),
            (3, Gen.Select(Key, tree, Comment).Array[1, 4].Select(pairs => (Node)new MappingNode(pairs))),
            (2, Gen.Select(tree, Comment).Array[1, 4].Select(items => (Node)new SequenceNode(items)))));

    private static readonly Gen<string> Documents =
        Gen.Select(Tree.Where(t => t is MappingNode or SequenceNode).Array[1, 3], Gen.Int[2, 4], Gen.Bool, Gen.Bool, Gen.Bool)
            .Select((roots, width, indentless, markers, finalBreak) =>
            {
                var text = new StringBuilder();
                foreach (var root in roots)
                {
                    if (markers || roots.Length > 1)
                    {
                        text.Append("---\n");
                    }

                    Render(root, 0, width, indentless, text);
                }

                var yaml = text.ToString();
                return finalBreak ? yaml : yaml.TrimEnd('\n');
            });

    // An insertion, a deletion or a replacement of one character, with the characters YAML gives a meaning to.
    private static Gen<Func<string, string>> Mutation(string yaml) => Gen.Select(
        Gen.Int[0, yaml.Length],
        Gen.OneOf(" ", "\n", ":", "-", "#", "'", "\"", "[", "]", "{", "}", ",", "|", ">", "\t", "\r", "&", "*", "!", "?", "%", "\\", "a", "  ", "- ", ": ", "---\n", "...\n", "\u2028", "\u0001"),
        Gen.Int[0, 2]).Select<int, string, int, Func<string, string>>((at, text, kind) => s =>
        {
            var i = Math.Min(at, s.Length);
            return kind switch
            {
                1 when i < s.Length => s.Remove(i, 1),
                2 when i < s.Length => s.Remove(i, 1).Insert(i, text),
                _ => s.Insert(i, text),
            };
        });

    private static void Render(Node node, int indent, int width, bool indentless, StringBuilder text, bool sameLine = false)
    {
        var pad = new string(' ', indent);
        switch (node)
        {
            case MappingNode map:
                foreach (var (key, value, comment) in map.Pairs)
                {
                    text.Append(sameLine ? "" : pad).Append(key).Append(':');
                    sameLine = false;
                    Value(value, indent, width, indentless, comment, text, inSequence: false);
                }

                break;
            case SequenceNode seq:
                foreach (var (item, comment) in seq.Items)
                {
                    text.Append(pad).Append('-');
                    Value(item, indent, width, indentless, comment, text, inSequence: true);
                }

                break;
            default:
                text.Append(pad);
                Value(node, indent - 1, width, indentless, "", text, inSequence: false);
                break;
        }
    }

    private static void Value(Node value, int indent, int width, bool indentless, string comment, StringBuilder text, bool inSequence)
    {
        switch (value)
        {
            case ScalarNode { Text: "" }:
                text.Append(comment).Append('\n');
                break;
            case ScalarNode scalar:
                text.Append(' ').Append(scalar.Text).Append(comment).Append('\n');
                break;
            case LiteralNode literal:
                text.Append(' ').Append(literal.Header).Append(comment).Append('\n');
                var inner = literal.Header == "|2" ? indent + 2 : indent + width;
                foreach (var line in literal.Lines)
                {
                    text.Append(line.Length == 0 ? "" : new string(' ', inner)).Append(line).Append('\n');
                }

                break;
            case MappingNode when inSequence && indentless && comment.Length == 0:
                // "- name: app": the mapping's first key on the entry's line.
                text.Append(' ');
                Render(value, indent + 2, width, indentless, text, sameLine: true);
                break;
            case SequenceNode when !inSequence && indentless:
                text.Append(comment).Append('\n');
                Render(value, indent, width, indentless, text);
                break;
            default:
                text.Append(comment).Append('\n');
                Render(value, indent + width, width, indentless, text);
                break;
        }
    }

    private abstract record Node;

    private sealed record ScalarNode(string Text) : Node;

    private sealed record LiteralNode(string Header, string[] Lines) : Node;

    private sealed record MappingNode((string Key, Node Value, string Comment)[] Pairs) : Node;

    private sealed record SequenceNode((Node Item, string Comment)[] Items) : Node;
}
