using System.Buffers;
using System.Collections;
using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>
/// Fills a KubernetesClient model (V1Pod, V1Deployment, ...) straight from one object's YAML events, walking the same
/// System.Text.Json contracts (<see cref="JsonTypeInfo"/>) that deserializing the object's JSON would walk, without
/// writing the JSON and without System.Text.Json's read stack (a third of the streaming read, docs/benchmarks.md).
/// Strings are set as written; every other scalar (quantities, numbers, booleans, times, int-or-string) goes through
/// System.Text.Json with its own converter, as one JSON string. Anything the plain walk does not take exactly as
/// System.Text.Json would (an unknown or repeated key, a contract with callbacks, a custom
/// converter on a property, a mapping where a scalar belongs, ...) gives null, and the caller takes the JSON way.
/// </summary>
internal sealed class EventModelBuilder
{
    private static readonly ConcurrentDictionary<JsonTypeInfo, Contract?> Contracts = new();

    // The List<T> or Dictionary<string, T> made for a collection contract, and its element's contract; null when it is another collection type.
    private static readonly ConcurrentDictionary<JsonTypeInfo, (Type Made, JsonTypeInfo Element)?> Collections = new();

    /// <summary>Values kept once: a dump repeats the same images, namespaces, label values and condition texts thousands of times.</summary>
    private const int PooledValues = 4096;

    private const int PooledLength = 64;

    private readonly JsonSerializerOptions _options;
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly ArrayBufferWriter<byte> _scalar = new(256);
    private readonly Utf8JsonWriter _writer;
    private List<YamlEvent> _events = [];
    private int _index;
    private int _depth;

    public EventModelBuilder(JsonSerializerOptions options)
    {
        _options = options;
        _writer = new Utf8JsonWriter(_scalar, new JsonWriterOptions { SkipValidation = true });
    }

    /// <summary>The object of <paramref name="type"/> the recorded events (one mapping) describe, or null when the JSON way must read it.</summary>
    public object? TryBuild(List<YamlEvent> events, Type type)
    {
        _events = events;
        _index = 0;
        _depth = 0;
        try
        {
            var built = Node(_options.GetTypeInfo(type), out var value);
            return built && _index == events.Count ? value : null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A converter refused a scalar: the JSON way throws the same and the full reader reports it.
            return null;
        }
    }

    /// <summary>The same object through the object's JSON text and System.Text.Json, as the streaming reader read every object before.</summary>
    public static object? ThroughJson(List<YamlEvent> events, Type type, JsonSerializerOptions options, ArrayBufferWriter<byte> buffer, Utf8JsonWriter writer)
    {
        buffer.ResetWrittenCount();
        writer.Reset();
        var index = 0;
        WriteJson(events, ref index, writer);
        writer.Flush();
        return JsonSerializer.Deserialize(buffer.WrittenSpan, type, options);
    }

    /// <summary>Writes the node at <paramref name="index"/> as JSON: mappings and lists as such, null scalars as null, every other scalar as a string.</summary>
    public static void WriteJson(List<YamlEvent> events, ref int index, Utf8JsonWriter writer)
    {
        var e = events[index++];
        switch (e.Kind)
        {
            case YamlEventKind.MappingStart:
                writer.WriteStartObject();
                while (events[index].Kind != YamlEventKind.MappingEnd)
                {
                    writer.WritePropertyName(events[index++].Value);
                    WriteJson(events, ref index, writer);
                }

                index++;
                writer.WriteEndObject();
                break;
            case YamlEventKind.SequenceStart:
                writer.WriteStartArray();
                while (events[index].Kind != YamlEventKind.SequenceEnd)
                {
                    WriteJson(events, ref index, writer);
                }

                index++;
                writer.WriteEndArray();
                break;
            case YamlEventKind.Scalar when e.IsNull:
                writer.WriteNullValue();
                break;
            case YamlEventKind.Scalar:
                writer.WriteStringValue(e.Value);
                break;
            default:
                throw new InvalidOperationException($"{e.Kind} is not a node");
        }
    }

    // Reads the node at _index into a value of info's type; false when the JSON way must decide.
    private bool Node(JsonTypeInfo info, out object? value)
    {
        value = null;
        var e = _events[_index];
        if (e.Kind == YamlEventKind.Scalar && info.Kind == JsonTypeInfoKind.None)
        {
            _index++;
            if (info.Type == typeof(string) && info.Converter is ManifestJson.AnyScalarAsString)
            {
                // ManifestJson's string converter reads a JSON string as it is, and leaves null to System.Text.Json: null.
                value = e.IsNull ? null : Pooled(e.Value);
                return true;
            }

            // Any other scalar (a quantity, a number, a time, null into a value type) as System.Text.Json reads that JSON token.
            _scalar.ResetWrittenCount();
            _writer.Reset();
            if (e.IsNull)
            {
                _writer.WriteNullValue();
            }
            else
            {
                _writer.WriteStringValue(e.Value);
            }

            _writer.Flush();
            value = JsonSerializer.Deserialize(_scalar.WrittenSpan, info);
            return true;
        }

        if (e.Kind != YamlEventKind.Scalar && info.Kind == JsonTypeInfoKind.None)
        {
            // A mapping or list into a type with its own converter (managedFields' fieldsV1 is an object): that node alone
            // through System.Text.Json, unless it nests as deep as the whole object's JSON may (then the JSON way decides).
            if (_depth + Depth(_index) >= MaxDepth(info.Options))
            {
                return false;
            }

            _scalar.ResetWrittenCount();
            _writer.Reset();
            WriteJson(_events, ref _index, _writer);
            _writer.Flush();
            value = JsonSerializer.Deserialize(_scalar.WrittenSpan, info);
            return true;
        }

        if (e.Kind == YamlEventKind.Scalar && e.IsNull)
        {
            // System.Text.Json's object and collection converters read a null token as null.
            _index++;
            return !info.Type.IsValueType;
        }

        return (info.Kind, e.Kind) switch
        {
            (JsonTypeInfoKind.Object, YamlEventKind.MappingStart) => Object(info, out value),
            (JsonTypeInfoKind.Enumerable, YamlEventKind.SequenceStart) => List(info, out value),
            (JsonTypeInfoKind.Dictionary, YamlEventKind.MappingStart) => Dictionary(info, out value),
            _ => false,
        };
    }

    // How deep the node at index nests (a scalar 0, a flat mapping or list 1).
    private int Depth(int index)
    {
        int depth = 0, deepest = 0;
        do
        {
            var kind = _events[index++].Kind;
            if (kind is YamlEventKind.MappingStart or YamlEventKind.SequenceStart)
            {
                deepest = Math.Max(deepest, ++depth);
            }
            else if (kind is YamlEventKind.MappingEnd or YamlEventKind.SequenceEnd)
            {
                depth--;
            }
        }
        while (depth > 0);

        return deepest;
    }

    // System.Text.Json's limit when the options leave it unset is 64; one level is kept spare so the two ways never disagree at the edge.
    private static int MaxDepth(JsonSerializerOptions options) => (options.MaxDepth == 0 ? 64 : options.MaxDepth) - 1;

    // The same text as one string, so 10,000 pods hold one "registry.k8s.io/pause:3.10" (fewer objects for the GC to move).
    private string Pooled(string text)
    {
        if (text.Length > PooledLength)
        {
            return text;
        }

        if (_values.TryGetValue(text, out var pooled))
        {
            return pooled;
        }

        if (_values.Count < PooledValues)
        {
            _values.Add(text, text);
        }

        return text;
    }

    private bool Object(JsonTypeInfo info, out object? value)
    {
        value = null;
        if (Contract.Of(info) is not { } contract)
        {
            return false;
        }

        var target = contract.Create();
        var seen = 0UL;
        _index++;
        _depth++;
        while (_events[_index].Kind != YamlEventKind.MappingEnd)
        {
            if (!contract.Properties.TryGetValue(_events[_index].Value, out var property) || (seen & property.Bit) != 0)
            {
                // Unknown (a warning, by the full reader) or given twice (an error, by the full reader).
                return false;
            }

            seen |= property.Bit;
            _index++;
            if (!Node(property.Type, out var child))
            {
                return false;
            }

            property.Info.Set!(target, child);
        }

        _index++;
        _depth--;
        value = target;
        return true;
    }

    private bool List(JsonTypeInfo info, out object? value)
    {
        value = null;
        if (CollectionOf(info) is not var (made, element))
        {
            return false;
        }

        var list = (IList)Activator.CreateInstance(made)!;
        _index++;
        _depth++;
        while (_events[_index].Kind != YamlEventKind.SequenceEnd)
        {
            if (!Node(element, out var item))
            {
                return false;
            }

            list.Add(item);
        }

        _index++;
        _depth--;
        value = list;
        return true;
    }

    private bool Dictionary(JsonTypeInfo info, out object? value)
    {
        value = null;
        if (CollectionOf(info) is not var (made, element))
        {
            return false;
        }

        var dictionary = (IDictionary)Activator.CreateInstance(made)!;
        _index++;
        _depth++;
        while (_events[_index].Kind != YamlEventKind.MappingEnd)
        {
            var key = _events[_index++].Value;
            if (dictionary.Contains(key) || !Node(element, out var item))
            {
                return false;
            }

            dictionary.Add(key, item);
        }

        _index++;
        _depth--;
        value = dictionary;
        return true;
    }

    private static (Type Made, JsonTypeInfo Element)? CollectionOf(JsonTypeInfo info) => Collections.GetOrAdd(info, static info =>
    {
        if (info.ElementType is not { } element)
        {
            return null;
        }

        // What System.Text.Json makes for these (List<T>, Dictionary<string, T>) is what is made here; other collection types take the JSON way.
        var made = info.Kind == JsonTypeInfoKind.Enumerable ? typeof(List<>).MakeGenericType(element) : typeof(Dictionary<,>).MakeGenericType(typeof(string), element);
        var takes = info.Kind == JsonTypeInfoKind.Enumerable
            ? info.Type == made || info.Type == typeof(IList<>).MakeGenericType(element)
            : info.KeyType == typeof(string) && (info.Type == made || info.Type == typeof(IDictionary<,>).MakeGenericType(typeof(string), element));
        return takes ? (made, info.Options.GetTypeInfo(element)) : null;
    });

    /// <summary>One object type's settable properties by JSON name, when the plain walk reads it exactly as System.Text.Json does.</summary>
    private sealed class Contract
    {
        private Contract(Func<object> create, Dictionary<string, Property> properties)
        {
            Create = create;
            Properties = properties;
        }

        public Func<object> Create { get; }

        public Dictionary<string, Property> Properties { get; }

        public static Contract? Of(JsonTypeInfo info) => Contracts.GetOrAdd(info, Build);

        private static Contract? Build(JsonTypeInfo info)
        {
            // Callbacks, polymorphism, constructor parameters or per-type settings: System.Text.Json does more than set properties.
            if (info.CreateObject is not { } create || info.PolymorphismOptions is not null || info.NumberHandling is not null ||
                info.UnmappedMemberHandling is not null || info.PreferredPropertyObjectCreationHandling is not null ||
                info.OnDeserializing is not null || info.OnDeserialized is not null || info.Properties.Count > 64 ||
                info.Options.PropertyNameCaseInsensitive)
            {
                return null;
            }

            var properties = new Dictionary<string, Property>(StringComparer.Ordinal);
            foreach (var property in info.Properties)
            {
                if (property.IsExtensionData || property.IsRequired || property.CustomConverter is not null || property.NumberHandling is not null ||
                    property.ObjectCreationHandling is not null)
                {
                    return null;
                }

                if (property.Set is null)
                {
                    // Read-only: left out, so a value given for it takes the JSON way.
                    continue;
                }

                if (!properties.TryAdd(property.Name, new Property(property, info.Options.GetTypeInfo(property.PropertyType), 1UL << properties.Count)))
                {
                    return null;
                }
            }

            return new Contract(create, properties);
        }
    }

    private sealed record Property(JsonPropertyInfo Info, JsonTypeInfo Type, ulong Bit);
}
