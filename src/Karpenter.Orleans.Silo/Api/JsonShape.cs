using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Karpenter.Orleans.Silo.Api;

/// <summary>
/// Holds a request body to the shape of its contract before it is deserialized: a field the contract does not
/// have, or a required one left out, is refused by name. Without this a misspelt field is silently dropped
/// and its property keeps its default (a spend cap of <c>{"price":5}</c> would remove the cap). Only our own
/// envelopes are checked: Kubernetes objects travel as JSON strings and keep their open schema.
/// </summary>
internal static class JsonShape
{
    /// <summary>Throws an <see cref="ApiException"/> (400) naming the first unknown or missing field under <paramref name="element"/>.</summary>
    public static void Check(JsonElement element, JsonTypeInfo info, string path)
    {
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object when element.ValueKind == JsonValueKind.Object:
                CheckObject(element, info, path);
                break;
            case JsonTypeInfoKind.Enumerable when element.ValueKind == JsonValueKind.Array && info.ElementType is { } elementType:
                var elementInfo = info.Options.GetTypeInfo(elementType);
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Check(item, elementInfo, $"{path}[{index++}]");
                }

                break;

            // Values of the wrong kind are left to the deserializer, which names the field the same way.
        }
    }

    private static void CheckObject(JsonElement element, JsonTypeInfo info, string path)
    {
        var comparer = info.Options.PropertyNameCaseInsensitive ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        var properties = new Dictionary<string, JsonPropertyInfo>(comparer);
        foreach (var property in info.Properties)
        {
            properties.TryAdd(property.Name, property);
        }

        var seen = new HashSet<string>(comparer);
        foreach (var member in element.EnumerateObject())
        {
            var field = Join(path, member.Name);
            if (!properties.TryGetValue(member.Name, out var property))
            {
                throw ApiException.BadRequest(
                    $"'{field}' is not a field of this request (expected: {string.Join(", ", properties.Keys)})", field);
            }

            seen.Add(property.Name);
            Check(member.Value, info.Options.GetTypeInfo(property.PropertyType), field);
        }

        foreach (var property in info.Properties)
        {
            if (Required(property) && !seen.Contains(property.Name))
            {
                var field = Join(path, property.Name);
                throw ApiException.BadRequest($"{field} is required", field);
            }
        }
    }

    /// <summary>[JsonRequired], or a constructor parameter that has no default and may not be null.</summary>
    private static bool Required(JsonPropertyInfo property) =>
        property.IsRequired || property.AssociatedParameter is { HasDefaultValue: false, IsNullable: false };

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
}
