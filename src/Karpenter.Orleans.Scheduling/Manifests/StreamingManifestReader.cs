using System.Buffers;
using System.Text.Json;
using k8s.Models;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>
/// The fast way through a manifest file: one pass over the events of <see cref="YamlTokenParser"/> (YamlDotNet's
/// scanner, without its parser's per-scalar interning), each object's events turned
/// straight into KubernetesClient's model (<see cref="EventModelBuilder"/>, through <see cref="ManifestJson"/>'s contracts), without the whole-file tree and the
/// second parse of every object that <see cref="YamlManifestReader"/> needs for its located errors. NodePools and
/// node classes, which are read by hand from a tree, get their tree from their own events (same lines and columns).
/// Anything else (anchors, aliases, tags, merge keys, a value the model refuses, an unknown field) makes it give
/// up, and the full reader reads the file and says what is wrong where, as it always did.
/// </summary>
internal sealed class StreamingManifestReader
{
    private const string NodeClassSuffix = "NodeClass";

    private readonly string _file;
    private readonly YamlTokenParser _parser;
    private readonly JsonSerializerOptions _options;
    private readonly List<ManifestDocument> _documents = [];
    private readonly List<YamlEvent> _events = [];
    private readonly ArrayBufferWriter<byte> _json = new(16 * 1024);
    private readonly Utf8JsonWriter _writer;
    private readonly EventModelBuilder _builder;
    private int _count;

    private StreamingManifestReader(string file, YamlTokenParser parser, JsonSerializerOptions options)
    {
        _file = file;
        _parser = parser;
        _options = options;
        _writer = new Utf8JsonWriter(_json, new JsonWriterOptions { SkipValidation = true });
        _builder = new EventModelBuilder(options);
    }

    /// <summary>
    /// A file this long is read in two parts side by side, cut where a document starts. YAML documents stand alone
    /// (what would tie them, directives and anchors, sends the file to the full reader anyway).
    /// </summary>
    internal const int PartsFrom = 1 << 20;

    /// <summary>The file's objects, or null when the full reader must read it (unusual YAML, or anything to report).</summary>
    public static List<ManifestDocument>? TryRead(string file, string content)
    {
        if (ManifestJson.Options is not { } options)
        {
            return null;
        }

        var cut = content.Length >= PartsFrom && Environment.ProcessorCount > 1 ? DocumentStartNear(content, content.Length / 2) : -1;
        if (cut <= 0)
        {
            return TryRead(file, content, options)?.Documents;
        }

        // The second part keeps its lines' numbers: blank lines stand for the first part.
        var lines = content.AsSpan(0, cut).Count('\n');
        var second = Task.Run(() => TryRead(file, new string('\n', lines) + content[cut..], options));
        var first = TryRead(file, content[..cut], options);
        var rest = second.GetAwaiter().GetResult();
        if (first is null || rest is null)
        {
            return null;
        }

        var documents = first.Value.Documents;
        documents.AddRange(rest.Value.Documents.Select(d => d.After(first.Value.Count)));
        return documents;
    }

    private static (List<ManifestDocument> Documents, int Count)? TryRead(string file, string content, JsonSerializerOptions options)
    {
        try
        {
            try
            {
                return Read(file, new YamlTokenParser(new ManifestScanner(content)), options);
            }
            catch (ManifestScanner.NotTaken)
            {
                // YAML the fast scanner leaves alone: YamlDotNet's scanner gives the same tokens where both read.
            }

            return Read(file, new YamlTokenParser(new StringReader(content)), options);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Whatever this reader cannot take (a YAML or model error, or a GiveUp), the full reader reads and reports.
            return null;
        }
    }

    private static (List<ManifestDocument> Documents, int Count) Read(string file, YamlTokenParser parser, JsonSerializerOptions options)
    {
        var reader = new StreamingManifestReader(file, parser, options);
        var documents = reader.Read();
        return (documents, reader._count);
    }

    /// <summary>Where the first "---" line at or after <paramref name="from"/> starts (else the last before it), or -1.</summary>
    internal static int DocumentStartNear(string content, int from)
    {
        for (var i = content.IndexOf("\n---", from, StringComparison.Ordinal); i >= 0; i = content.IndexOf("\n---", i + 1, StringComparison.Ordinal))
        {
            if (IsMarkerEnd(content, i + 4))
            {
                return i + 1;
            }
        }

        for (var i = content.LastIndexOf("\n---", Math.Min(from + 3, content.Length - 1), StringComparison.Ordinal); i > 0; i = content.LastIndexOf("\n---", i - 1, StringComparison.Ordinal))
        {
            if (IsMarkerEnd(content, i + 4))
            {
                return i + 1;
            }
        }

        return -1;
    }

    // "---" is a document marker only when a space, a tab or the line's end follows it.
    private static bool IsMarkerEnd(string content, int at) => at == content.Length || content[at] is ' ' or '\t' or '\n' or '\r';

    /// <summary>
    /// The kinds the collector reads through KubernetesClient's model; the typed object is read here.
    /// Keep in step with <see cref="ManifestCollector.Add"/>.
    /// </summary>
    internal static Type? ModelOf(string kind) => kind switch
    {
        "Pod" => typeof(V1Pod),
        "Deployment" => typeof(V1Deployment),
        "ReplicaSet" => typeof(V1ReplicaSet),
        "StatefulSet" => typeof(V1StatefulSet),
        "Job" => typeof(V1Job),
        "DaemonSet" => typeof(V1DaemonSet),
        "Node" => typeof(V1Node),
        "PodDisruptionBudget" => typeof(V1PodDisruptionBudget),
        _ => null,
    };

    /// <summary>Kinds the collector reads by hand from a tree.</summary>
    internal static bool NeedsTree(string kind) =>
        kind == "NodePool" || (kind.EndsWith(NodeClassSuffix, StringComparison.Ordinal) && kind.Length > NodeClassSuffix.Length);

    private List<ManifestDocument> Read()
    {
        Expect(YamlEventKind.StreamStart);
        var number = 0;
        while (Next().Kind != YamlEventKind.StreamEnd)
        {
            if (Current.Kind != YamlEventKind.DocumentStart)
            {
                throw new GiveUp();
            }

            number++;
            var root = Next();
            if (root.IsNull)
            {
                Next();
            }
            else if (root.Kind == YamlEventKind.MappingStart)
            {
                ReadRoot(number);
            }
            else
            {
                throw new GiveUp();
            }

            if (Current.Kind != YamlEventKind.DocumentEnd)
            {
                throw new GiveUp();
            }
        }

        _count = number;
        return _documents;
    }

    // At the root's MappingStart; ends on the event after the root's MappingEnd. A List's items are read one by one as
    // they come (kubectl writes kind after items), so a 50,000-pod dump is never held as events.
    private void ReadRoot(int number)
    {
        _events.Clear();
        Record(Current);
        Next();
        string? kind = null;
        string? apiVersion = null;
        var hasItems = false;
        var items = 0;
        while (Current.Kind != YamlEventKind.MappingEnd)
        {
            var keyEvent = Current;
            var key = Key();
            Next();
            if (key == "items")
            {
                if (Current.Kind != YamlEventKind.SequenceStart)
                {
                    throw new GiveUp();
                }

                hasItems = true;
                var rootEvents = _events.ToList();
                Next();
                while (Current.Kind != YamlEventKind.SequenceEnd)
                {
                    if (Current.Kind != YamlEventKind.MappingStart)
                    {
                        throw new GiveUp();
                    }

                    _events.Clear();
                    var (itemKind, itemApiVersion) = RecordMapping();
                    Add(number, items++, itemKind, itemApiVersion);
                }

                Next();
                _events.Clear();
                _events.AddRange(rootEvents);
                continue;
            }

            Record(keyEvent);
            if (Current.Kind == YamlEventKind.Scalar)
            {
                var scalar = Current;
                Record(scalar);
                Next();
                if (key == "kind")
                {
                    kind = ValueOf(scalar);
                }
                else if (key == "apiVersion")
                {
                    apiVersion = ValueOf(scalar);
                }
            }
            else
            {
                RecordNode(2);
            }
        }

        Record(Current);
        Next();

        // As YamlManifestReader.IsList: kind List, or a typed list (PodList) that has items.
        var isList = kind == "List" || (kind is not null && kind.EndsWith("List", StringComparison.Ordinal) && hasItems);
        if (isList != hasItems && !(kind == "List" && !hasItems))
        {
            // items under a kind that is not a list: the full reader decides what that is.
            throw new GiveUp();
        }

        if (!isList)
        {
            Add(number, null, kind, apiVersion);
        }
    }

    /// <summary>Turns the recorded object into a document: typed, with a tree, or (a kind the simulator does not read) kind and name only.</summary>
    private void Add(int number, int? item, string? kind, string? apiVersion)
    {
        if (string.IsNullOrEmpty(kind) || string.IsNullOrEmpty(apiVersion))
        {
            throw new GiveUp();
        }

        if (NeedsTree(kind))
        {
            _documents.Add(WithTree(number, item));
            return;
        }

        var type = ModelOf(kind);
        if (type is not null)
        {
            // Straight from the events when the model takes them plainly, else through the object's JSON as before.
            var value = _builder.TryBuild(_events, type) ?? EventModelBuilder.ThroughJson(_events, type, _options, _json, _writer) ?? throw new GiveUp();
            var name = (value as IMetadata<V1ObjectMeta>)?.Metadata?.Name;
            _documents.Add(new ManifestDocument(_file, number, item, kind, apiVersion, name, value));
            return;
        }

        _json.ResetWrittenCount();
        _writer.Reset();
        var index = 0;
        EventModelBuilder.WriteJson(_events, ref index, _writer);
        _writer.Flush();

        // Only counted by kind; parsed once more only so that a key given twice is refused, as the full reader does.
        using (JsonDocument.Parse(_json.WrittenMemory, NoDuplicates))
        {
        }

        _documents.Add(new ManifestDocument(_file, number, item, kind, apiVersion, MetadataName(), null));
    }

    private static readonly JsonDocumentOptions NoDuplicates = new() { AllowDuplicateProperties = false, MaxDepth = DocumentBoundaryParser.MaxDepth + 1 };

    /// <summary>The recorded object's metadata.name (top level only), for messages.</summary>
    private string? MetadataName()
    {
        var depth = 0;
        var inMetadata = false;
        for (var i = 0; i < _events.Count; i++)
        {
            var e = _events[i];
            if (e.Kind is YamlEventKind.MappingStart or YamlEventKind.SequenceStart)
            {
                depth++;
            }
            else if (e.Kind is YamlEventKind.MappingEnd or YamlEventKind.SequenceEnd)
            {
                depth--;
                inMetadata &= depth >= 2;
            }
            else if (e.Kind == YamlEventKind.Scalar && i + 1 < _events.Count)
            {
                var next = _events[i + 1];
                if (depth == 1 && e.Value == "metadata" && next.Kind == YamlEventKind.MappingStart)
                {
                    inMetadata = true;
                }
                else if (depth == 2 && inMetadata && e.Value == "name" && next.Kind == YamlEventKind.Scalar)
                {
                    return ValueOf(next);
                }

                if (next.Kind == YamlEventKind.Scalar)
                {
                    // Skip the value so it is not taken for a key.
                    i++;
                }
            }
        }

        return null;
    }

    private static string? ValueOf(YamlEvent scalar) => scalar.IsNull ? null : scalar.Value;

    /// <summary>A tree built from the object's own events, so its nodes carry the file's lines and columns.</summary>
    private ManifestDocument WithTree(int number, int? item)
    {
        var stream = new YamlStream();
        stream.Load(new Replay(_events));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        return new ManifestDocument(_file, number, root, "", root.Start.Line, item, root.Start.Column);
    }

    // At a MappingStart; records the mapping, returns its top-level kind and apiVersion; ends on the event after it.
    private (string? Kind, string? ApiVersion) RecordMapping()
    {
        Record(Current);
        Next();
        string? kind = null;
        string? apiVersion = null;
        while (Current.Kind != YamlEventKind.MappingEnd)
        {
            var keyEvent = Current;
            var key = Key();
            Record(keyEvent);
            Next();
            if (Current.Kind == YamlEventKind.Scalar)
            {
                var scalar = Current;
                Record(scalar);
                Next();
                if (key == "kind")
                {
                    kind = ValueOf(scalar);
                }
                else if (key == "apiVersion")
                {
                    apiVersion = ValueOf(scalar);
                }
            }
            else
            {
                RecordNode(4);
            }
        }

        Record(Current);
        Next();
        return (kind, apiVersion);
    }

    // Records the node at the parser (a mapping, list or scalar) and moves past it.
    private void RecordNode(int depth)
    {
        if (depth > DocumentBoundaryParser.MaxDepth)
        {
            throw new GiveUp();
        }

        var current = Current;
        switch (current.Kind)
        {
            case YamlEventKind.Scalar:
                Record(current);
                Next();
                return;
            case YamlEventKind.MappingStart:
                Record(current);
                Next();
                while (Current.Kind != YamlEventKind.MappingEnd)
                {
                    var keyEvent = Current;
                    Key();
                    Record(keyEvent);
                    Next();
                    RecordNode(depth + 1);
                }

                Record(Current);
                Next();
                return;
            case YamlEventKind.SequenceStart:
                Record(current);
                Next();
                while (Current.Kind != YamlEventKind.SequenceEnd)
                {
                    RecordNode(depth + 1);
                }

                Record(Current);
                Next();
                return;
            default:
                throw new GiveUp();
        }
    }

    /// <summary>The key at the parser: a plain or quoted scalar (anchors and tags never get here), not a merge key.</summary>
    private string Key()
    {
        var key = Current;
        if (key.Kind != YamlEventKind.Scalar || (key.Value == "<<" && key.Style is ScalarStyle.Plain or ScalarStyle.Any))
        {
            throw new GiveUp();
        }

        return key.Value;
    }

    private YamlEvent Current => _parser.Current;

    private void Record(YamlEvent e) => _events.Add(e);

    private YamlEvent Next() => _parser.MoveNext() ? _parser.Current : throw new GiveUp();

    private void Expect(YamlEventKind kind)
    {
        if (Next().Kind != kind)
        {
            throw new GiveUp();
        }
    }

    /// <summary>Replays one object's events as a one-document stream, for YamlStream to build its tree from.</summary>
    private sealed class Replay(List<YamlEvent> events) : IParser
    {
        private int _index = -1;
        private ParsingEvent? _current;

        public ParsingEvent? Current => _current;

        public bool MoveNext()
        {
            _index++;
            _current = _index == 0 ? new StreamStart()
                : _index == 1 ? new DocumentStart()
                : _index - 2 < events.Count ? events[_index - 2].ToParsingEvent()
                : _index - 2 == events.Count ? new DocumentEnd(true)
                : _index - 2 == events.Count + 1 ? new StreamEnd()
                : null;
            return _current is not null;
        }
    }

    /// <summary>The input needs the full reader.</summary>
    private sealed class GiveUp : Exception;
}
