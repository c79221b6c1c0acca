using System.Runtime.CompilerServices;
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
    // Worked out once per contract type: a snapshot has tens of thousands of objects of the same shape.
    // Weak keys: each set of serializer options has its own type infos, and they must not outlive it.
    private static readonly ConditionalWeakTable<JsonTypeInfo, Contract> Contracts = new();

    /// <summary>Throws an <see cref="ApiException"/> (400) naming the first unknown or missing field under <paramref name="element"/>.</summary>
    public static void Check(JsonElement element, JsonTypeInfo info, string path)
    {
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object when element.ValueKind == JsonValueKind.Object:
                CheckObject(element, Contracts.GetValue(info, Contract.Of), path);
                break;
            case JsonTypeInfoKind.Enumerable when element.ValueKind == JsonValueKind.Array && info.ElementType is { } elementType:
                var elementInfo = info.Options.GetTypeInfo(elementType);
                if (elementInfo.Kind is JsonTypeInfoKind.None)
                {
                    break;
                }

                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Check(item, elementInfo, $"{path}[{index++}]");
                }

                break;

            // Values of the wrong kind are left to the deserializer, which names the field the same way.
        }
    }

    private static void CheckObject(JsonElement element, Contract contract, string path)
    {
        var seen = 0UL;
        foreach (var member in element.EnumerateObject())
        {
            if (!contract.Fields.TryGetValue(member.Name, out var field))
            {
                var name = Join(path, member.Name);
                // A property named "" at the top names no field; the body is what is wrong (found by fuzzing).
                throw ApiException.BadRequest($"'{name}' is not a field of this request (expected: {contract.Expected})", name.Length == 0 ? "body" : name);
            }

            seen |= 1UL << field.Index;
            if (field.Nested is { } nested)
            {
                Check(member.Value, nested, Join(path, field.Name));
            }
        }

        if ((seen & contract.RequiredMask) != contract.RequiredMask)
        {
            var missing = contract.Required.First(f => (seen & (1UL << f.Index)) == 0);
            var name = Join(path, missing.Name);
            throw ApiException.BadRequest($"{name} is required", name);
        }
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private sealed record Field(string Name, int Index, bool IsRequired, JsonTypeInfo? Nested);

    private sealed class Contract
    {
        private Contract(Dictionary<string, Field> fields, Field[] required, string expected)
        {
            Fields = fields;
            Required = required;
            Expected = expected;
            RequiredMask = required.Aggregate(0UL, (mask, f) => mask | (1UL << f.Index));
        }

        public Dictionary<string, Field> Fields { get; }

        public Field[] Required { get; }

        public ulong RequiredMask { get; }

        public string Expected { get; }

        public static Contract Of(JsonTypeInfo info)
        {
            if (info.Properties.Count > 64)
            {
                throw new InvalidOperationException($"{info.Type} has more than 64 JSON properties; JsonShape tracks at most 64");
            }

            var comparer = info.Options.PropertyNameCaseInsensitive ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
            var fields = new Dictionary<string, Field>(comparer);
            foreach (var property in info.Properties)
            {
                var nested = info.Options.GetTypeInfo(property.PropertyType);
                fields.TryAdd(property.Name, new Field(property.Name, fields.Count, IsRequired(property), nested.Kind is JsonTypeInfoKind.None ? null : nested));
            }

            return new Contract(fields, [.. fields.Values.Where(f => f.IsRequired)], string.Join(", ", fields.Keys));
        }

        /// <summary>[JsonRequired], or a constructor parameter that has no default and may not be null.</summary>
        private static bool IsRequired(JsonPropertyInfo property) =>
            property.IsRequired || property.AssociatedParameter is { HasDefaultValue: false, IsNullable: false };
    }
}
