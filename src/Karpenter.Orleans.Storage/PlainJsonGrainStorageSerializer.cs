using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Orleans.Storage;

namespace Karpenter.Orleans.Storage;

/// <summary>
/// Grain state as plain System.Text.Json: property names and values only, no <c>$type</c>,
/// <c>$id</c> or assembly names. The CLR type that reads a payload is the one the grain asks
/// for, so renaming a state type, its namespace or its assembly keeps old rows readable;
/// renaming a property does not (add <c>[JsonPropertyName("old")]</c> for that).
/// </summary>
/// <remarks>
/// Orleans' default for ADO.NET is Newtonsoft.Json with type names embedded in every object,
/// which ties stored state to CLR names. Consequences of plain JSON: state types must be
/// concrete (no abstract members unless marked <c>[JsonPolymorphic]</c> with stable
/// discriminators), object graphs must be trees, and enums are written as names so adding
/// or reordering members is safe.
/// </remarks>
public sealed class PlainJsonGrainStorageSerializer : IGrainStorageSerializer
{
    private static readonly JsonSerializerOptions Shared = Freeze(CreateOptions());

    private readonly JsonSerializerOptions _options;

    /// <summary>Uses <see cref="CreateOptions"/>.</summary>
    public PlainJsonGrainStorageSerializer()
        : this(Shared)
    {
    }

    /// <summary>Uses the given options (start from <see cref="CreateOptions"/> to keep the format).</summary>
    public PlainJsonGrainStorageSerializer(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>
    /// The format: camelCase names read case-insensitively, public fields included (Orleans
    /// state types often use fields), enums as strings.
    /// </summary>
    public static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            IncludeFields = true,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        };
        options.Converters.Add(new JsonStringEnumConverter());
        return options;
    }

    /// <inheritdoc />
    public BinaryData Serialize<T>(T? input) => new(JsonSerializer.SerializeToUtf8Bytes(input, _options));

    /// <inheritdoc />
    public T Deserialize<T>(BinaryData input)
    {
        ArgumentNullException.ThrowIfNull(input);

        // A JSON null comes back as default; the storage provider then creates a fresh state.
        return JsonSerializer.Deserialize<T>(input.ToMemory().Span, _options)!;
    }

    private static JsonSerializerOptions Freeze(JsonSerializerOptions options)
    {
        options.MakeReadOnly();
        return options;
    }
}
