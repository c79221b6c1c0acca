using System.Buffers;
using System.Text.Json;
using k8s.Models;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>
/// The fast way through a manifest file: one pass over YamlDotNet's parser events, each object's events turned
/// straight into KubernetesClient's model through <see cref="ManifestJson"/>, without the whole-file tree and the
/// second parse of every object that <see cref="YamlManifestReader"/> needs for its located errors. NodePools and
/// node classes, which are read by hand from a tree, get their tree from their own events (same lines and columns).
/// Anything else (anchors, aliases, tags, merge keys, a value the model refuses, an unknown field) makes it give
/// up, and the full reader reads the file and says what is wrong where, as it always did.
/// </summary>
internal sealed class StreamingManifestReader
{
    private const string NodeClassSuffix = "NodeClass";

    private readonly string _file;
    private readonly IParser _parser;
    private readonly JsonSerializerOptions _options;
    private readonly List<ManifestDocument> _documents = [];
    private readonly List<ParsingEvent> _events = [];
    private readonly ArrayBufferWriter<byte> _json = new(16 * 1024);
    private readonly Utf8JsonWriter _writer;

    private StreamingManifestReader(string file, TextReader content, JsonSerializerOptions options)
    {
        _file = file;
        _parser = new Parser(content);
        _options = options;
        _writer = new Utf8JsonWriter(_json, new JsonWriterOptions { SkipValidation = true });
    }

    /// <summary>The file's objects, or null when the full reader must read it (unusual YAML, or anything to report).</summary>
    public static List<ManifestDocument>? TryRead(string file, string content)
    {
        if (ManifestJson.Options is not { } options)
        {
            return null;
        }

        try
        {
            return new StreamingManifestReader(file, new StringReader(content), options).Read();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Whatever this reader cannot take (a YAML or model error, or a GiveUp), the full reader reads and reports.
            return null;
        }
    }

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
        Expect<StreamStart>();
        var number = 0;
        while (Next() is not StreamEnd)
        {
            if (_parser.Current is not DocumentStart)
            {
                throw new GiveUp();
            }

            number++;
            switch (Next())
            {
                case Scalar scalar when IsNull(scalar):
                    Next();
                    break;
                case MappingStart:
                    ReadRoot(number);
                    break;
                default:
                    throw new GiveUp();
            }

            if (_parser.Current is not DocumentEnd)
            {
                throw new GiveUp();
            }
        }

        return _documents;
    }

    // At the root's MappingStart; ends on the event after the root's MappingEnd. A List's items are read one by one as
    // they come (kubectl writes kind after items), so a 50,000-pod dump is never held as events.
    private void ReadRoot(int number)
    {
        _events.Clear();
        Check((NodeEvent)_parser.Current!);
        Record(_parser.Current!);
        Next();
        string? kind = null;
        string? apiVersion = null;
        var hasItems = false;
        var items = 0;
        while (_parser.Current is not MappingEnd)
        {
            var keyEvent = (Scalar)_parser.Current!;
            var key = Key();
            Next();
            if (key == "items")
            {
                if (_parser.Current is not SequenceStart sequence || !sequence.Anchor.IsEmpty || !sequence.Tag.IsEmpty)
                {
                    throw new GiveUp();
                }

                hasItems = true;
                var rootEvents = _events.ToList();
                Next();
                while (_parser.Current is not SequenceEnd)
                {
                    if (_parser.Current is not MappingStart)
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
            if (_parser.Current is Scalar scalar)
            {
                Check(scalar);
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

        Record(_parser.Current);
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
        _json.ResetWrittenCount();
        _writer.Reset();
        var index = 0;
        WriteJson(ref index);
        _writer.Flush();
        if (type is null)
        {
            // Only counted by kind; parsed once more only so that a key given twice is refused, as the full reader does.
            using (JsonDocument.Parse(_json.WrittenMemory, NoDuplicates))
            {
            }

            _documents.Add(new ManifestDocument(_file, number, item, kind, apiVersion, MetadataName(), null));
            return;
        }

        var value = JsonSerializer.Deserialize(_json.WrittenSpan, type, _options) ?? throw new GiveUp();
        var name = (value as IMetadata<V1ObjectMeta>)?.Metadata?.Name;
        _documents.Add(new ManifestDocument(_file, number, item, kind, apiVersion, name, value));
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
            if (e is MappingStart or SequenceStart)
            {
                depth++;
            }
            else if (e is MappingEnd or SequenceEnd)
            {
                depth--;
                inMetadata &= depth >= 2;
            }
            else if (e is Scalar key && i + 1 < _events.Count)
            {
                if (depth == 1 && key.Value == "metadata" && _events[i + 1] is MappingStart)
                {
                    inMetadata = true;
                }
                else if (depth == 2 && inMetadata && key.Value == "name" && _events[i + 1] is Scalar name)
                {
                    return ValueOf(name);
                }

                if (_events[i + 1] is Scalar)
                {
                    // Skip the value so it is not taken for a key.
                    i++;
                }
            }
        }

        return null;
    }

    private static string? ValueOf(Scalar scalar) => IsNull(scalar) ? null : scalar.Value;

    /// <summary>A tree built from the object's own events, so its nodes carry the file's lines and columns.</summary>
    private ManifestDocument WithTree(int number, int? item)
    {
        var stream = new YamlStream();
        stream.Load(new Replay(_events));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        return new ManifestDocument(_file, number, root, "", root.Start.Line, item, root.Start.Column);
    }

    private void WriteJson(ref int index)
    {
        var e = _events[index++];
        switch (e)
        {
            case MappingStart:
                _writer.WriteStartObject();
                while (_events[index] is not MappingEnd)
                {
                    _writer.WritePropertyName(((Scalar)_events[index++]).Value);
                    WriteJson(ref index);
                }

                index++;
                _writer.WriteEndObject();
                break;
            case SequenceStart:
                _writer.WriteStartArray();
                while (_events[index] is not SequenceEnd)
                {
                    WriteJson(ref index);
                }

                index++;
                _writer.WriteEndArray();
                break;
            case Scalar scalar when IsNull(scalar):
                _writer.WriteNullValue();
                break;
            case Scalar scalar:
                _writer.WriteStringValue(scalar.Value);
                break;
            default:
                throw new GiveUp();
        }
    }

    // At a MappingStart; records the mapping, returns its top-level kind and apiVersion; ends on the event after it.
    private (string? Kind, string? ApiVersion) RecordMapping()
    {
        Check((NodeEvent)_parser.Current!);
        Record(_parser.Current!);
        Next();
        string? kind = null;
        string? apiVersion = null;
        while (_parser.Current is not MappingEnd)
        {
            var keyEvent = (Scalar)_parser.Current!;
            var key = Key();
            Record(keyEvent);
            Next();
            if (_parser.Current is Scalar scalar)
            {
                Check(scalar);
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

        Record(_parser.Current);
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

        var current = _parser.Current!;
        switch (current)
        {
            case Scalar scalar:
                Check(scalar);
                Record(scalar);
                Next();
                return;
            case MappingStart mapping:
                Check(mapping);
                Record(mapping);
                Next();
                while (_parser.Current is not MappingEnd)
                {
                    var keyEvent = (Scalar)_parser.Current!;
                    Key();
                    Record(keyEvent);
                    Next();
                    RecordNode(depth + 1);
                }

                Record(_parser.Current);
                Next();
                return;
            case SequenceStart sequence:
                Check(sequence);
                Record(sequence);
                Next();
                while (_parser.Current is not SequenceEnd)
                {
                    RecordNode(depth + 1);
                }

                Record(_parser.Current);
                Next();
                return;
            default:
                // An alias: the full reader resolves it.
                throw new GiveUp();
        }
    }

    /// <summary>The key at the parser: a plain or quoted scalar, not a merge key.</summary>
    private string Key()
    {
        if (_parser.Current is not Scalar key || !key.Anchor.IsEmpty || !key.Tag.IsEmpty || (key.Value == "<<" && key.Style is ScalarStyle.Plain or ScalarStyle.Any))
        {
            throw new GiveUp();
        }

        return key.Value;
    }

    private static void Check(NodeEvent node)
    {
        if (!node.Anchor.IsEmpty || !node.Tag.IsEmpty)
        {
            throw new GiveUp();
        }
    }

    private static bool IsNull(Scalar scalar) =>
        scalar.Style is ScalarStyle.Plain or ScalarStyle.Any && scalar.Value is "" or "~" or "null" or "Null" or "NULL";

    private void Record(ParsingEvent e) => _events.Add(e);

    private ParsingEvent? Next() => _parser.MoveNext() ? _parser.Current : null;

    private void Expect<T>()
        where T : ParsingEvent
    {
        if (Next() is not T)
        {
            throw new GiveUp();
        }
    }

    /// <summary>Replays one object's events as a one-document stream, for YamlStream to build its tree from.</summary>
    private sealed class Replay(List<ParsingEvent> events) : IParser
    {
        private int _index = -1;

        public ParsingEvent? Current => _index < 0 ? null : _index == 0 ? new StreamStart() : _index == 1 ? new DocumentStart() : _index - 2 < events.Count ? events[_index - 2] : _index - 2 == events.Count ? new DocumentEnd(true) : new StreamEnd();

        public bool MoveNext() => ++_index <= events.Count + 3;
    }

    /// <summary>The input needs the full reader.</summary>
    private sealed class GiveUp : Exception;
}
