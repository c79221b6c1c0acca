using System.Text.Json;
using System.Text.Unicode;
using k8s.Models;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>Reads an instance-type catalog (the JSON format of the design's contract).</summary>
public static class CatalogLoader
{
    private static readonly JsonDocumentOptions JsonOptions = new() { CommentHandling = JsonCommentHandling.Skip };

    /// <summary>Loads a catalog file; throws <see cref="ManifestException"/> naming the file and field when it is missing or malformed.</summary>
    public static InstanceTypeCatalog Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ManifestException(path, null, null, "no such file", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ManifestException(path, null, null, $"cannot read the file: {ex.Message}", ex);
        }

        return Parse(path, bytes);
    }

    /// <summary>Reads a catalog from its JSON bytes; <paramref name="source"/> stands for the file name in errors.</summary>
    public static InstanceTypeCatalog Parse(string source, ReadOnlyMemory<byte> bytes)
    {
        ArgumentNullException.ThrowIfNull(source);

        // Found by fuzzing: JsonDocument checks UTF-8 only when a string is read, and then throws InvalidOperationException.
        if (!Utf8.IsValid(bytes.Span))
        {
            throw new ManifestException(source, null, null, $"the file is not valid UTF-8 (byte {FirstInvalidByte(bytes.Span) + 1})");
        }

        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(bytes, JsonOptions);
        }
        catch (JsonException ex)
        {
            var line = (ex.LineNumber ?? 0) + 1;
            var column = (ex.BytePositionInLine ?? 0) + 1;
            throw new ManifestException(source, null, null, $"line {line}, column {column}: malformed JSON: {JsonProblem(ex.Message)}", ex);
        }

        using (json)
        {
            return new Reader(source).Catalog(json.RootElement);
        }
    }

    private static int FirstInvalidByte(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[bytes.Length];
        Utf8.ToUtf16(bytes, chars, out var read, out _, replaceInvalidSequences: false);
        return read;
    }

    // System.Text.Json appends the location; the message states it once.
    private static string JsonProblem(string message)
    {
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        }

        return (cut < 0 ? message : message[..cut]).TrimEnd().TrimEnd('.').TrimEnd('.');
    }

    /// <summary>Walks the document with the file name at hand for messages, and caches parsed quantities.</summary>
    private sealed class Reader(string file)
    {
        // Catalogs repeat the same few quantity strings ("29", "17Gi"); parse each once.
        // Keyed by resource and text: the range a quantity must fall in depends on the resource (cpu counts millicores).
        private readonly Dictionary<(string Resource, string Text), ResourceQuantity> _quantities = [];

        public InstanceTypeCatalog Catalog(JsonElement root)
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Error(null, $"expected a JSON object with zones and instanceTypes, found {Describe(root)}");
            }

            var zones = Zones(root);
            string? region = null;
            if (root.TryGetProperty("region", out var regionElement) && regionElement.ValueKind != JsonValueKind.Null)
            {
                region = String(regionElement, "region");
            }

            if (!root.TryGetProperty("instanceTypes", out var typesElement) || typesElement.ValueKind == JsonValueKind.Null)
            {
                throw Error("instanceTypes", "required");
            }

            if (typesElement.ValueKind != JsonValueKind.Array)
            {
                throw Error("instanceTypes", $"expected an array, found {Describe(typesElement)}");
            }

            var zoneSet = new HashSet<string>(zones, StringComparer.Ordinal);
            var firstIndex = new Dictionary<string, int>(StringComparer.Ordinal);
            var types = new List<InstanceType>(typesElement.GetArrayLength());
            var i = 0;
            foreach (var element in typesElement.EnumerateArray())
            {
                var type = InstanceType(element, $"instanceTypes[{i}]", zones, zoneSet);
                if (!firstIndex.TryAdd(type.Name, i))
                {
                    throw Error($"instanceTypes[{i}].name", $"duplicate instance type \"{type.Name}\" (first at instanceTypes[{firstIndex[type.Name]}])");
                }

                types.Add(type);
                i++;
            }

            return new InstanceTypeCatalog(zones, types, region);
        }

        private List<string> Zones(JsonElement root)
        {
            if (!root.TryGetProperty("zones", out var element) || element.ValueKind == JsonValueKind.Null)
            {
                throw Error("zones", "required (the zones the instance types are offered in)");
            }

            if (element.ValueKind != JsonValueKind.Array)
            {
                throw Error("zones", $"expected an array of zone names, found {Describe(element)}");
            }

            var zones = new List<string>();
            var i = 0;
            foreach (var zoneElement in element.EnumerateArray())
            {
                var zone = String(zoneElement, $"zones[{i}]");
                if (zone.Length == 0)
                {
                    throw Error($"zones[{i}]", "must not be empty");
                }

                if (zones.Contains(zone))
                {
                    throw Error($"zones[{i}]", $"duplicate zone \"{zone}\"");
                }

                zones.Add(zone);
                i++;
            }

            return zones.Count > 0 ? zones : throw Error("zones", "at least one zone is required");
        }

        private InstanceType InstanceType(JsonElement element, string path, List<string> zones, HashSet<string> zoneSet)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw Error(path, $"expected an object, found {Describe(element)}");
            }

            var name = element.TryGetProperty("name", out var nameElement) && nameElement.ValueKind != JsonValueKind.Null
                ? String(nameElement, $"{path}.name")
                : "";
            if (name.Length == 0)
            {
                throw Error($"{path}.name", "required");
            }

            var labels = Labels(element, path, name);
            if (!element.TryGetProperty("allocatable", out var allocatableElement) || allocatableElement.ValueKind == JsonValueKind.Null)
            {
                throw Error($"{path}.allocatable", $"required (instance type {name})");
            }

            var allocatable = Resources(allocatableElement, $"{path}.allocatable", name);
            var capacity = element.TryGetProperty("capacity", out var capacityElement) && capacityElement.ValueKind != JsonValueKind.Null
                ? Resources(capacityElement, $"{path}.capacity", name)
                : allocatable;

            decimal? onDemand = null;
            if (element.TryGetProperty("onDemandPricePerHour", out var priceElement) && priceElement.ValueKind != JsonValueKind.Null)
            {
                onDemand = Price(priceElement, $"{path}.onDemandPricePerHour", name);
            }

            IReadOnlyList<Offering> offerings;
            if (element.TryGetProperty("offerings", out var offeringsElement) && offeringsElement.ValueKind != JsonValueKind.Null)
            {
                offerings = Offerings(offeringsElement, $"{path}.offerings", name, zoneSet);
            }
            else if (onDemand is { } price)
            {
                offerings = DerivedOfferings(name, zones, price);
            }
            else
            {
                throw Error($"{path}.onDemandPricePerHour", $"required when offerings are absent (instance type {name})");
            }

            return new InstanceType(name, labels, capacity, allocatable, offerings);
        }

        /// <summary>On-demand and spot in every zone, zone by zone; spot priced by <see cref="SpotPriceRule"/>.</summary>
        private static List<Offering> DerivedOfferings(string name, List<string> zones, decimal onDemand)
        {
            var offerings = new List<Offering>(zones.Count * 2);
            foreach (var zone in zones)
            {
                offerings.Add(new Offering(zone, CapacityTypes.OnDemand, (double)onDemand));
                offerings.Add(new Offering(zone, CapacityTypes.Spot, SpotPriceRule.Price(name, zone, onDemand)));
            }

            return offerings;
        }

        private List<Offering> Offerings(JsonElement element, string path, string typeName, HashSet<string> zoneSet)
        {
            if (element.ValueKind != JsonValueKind.Array)
            {
                throw Error(path, $"expected an array, found {Describe(element)}");
            }

            var offerings = new List<Offering>();
            var seen = new HashSet<(string, string)>();
            var i = 0;
            foreach (var offering in element.EnumerateArray())
            {
                var at = $"{path}[{i}]";
                if (offering.ValueKind != JsonValueKind.Object)
                {
                    throw Error(at, $"expected an object, found {Describe(offering)}");
                }

                var zone = RequiredString(offering, "zone", at, typeName);
                if (!zoneSet.Contains(zone))
                {
                    throw Error($"{at}.zone", $"zone \"{zone}\" is not in zones (instance type {typeName})");
                }

                var capacityType = RequiredString(offering, "capacityType", at, typeName);
                if (!CapacityTypes.All.Contains(capacityType))
                {
                    throw Error($"{at}.capacityType", $"unknown capacity type \"{capacityType}\"; expected on-demand, spot or reserved (instance type {typeName})");
                }

                if (!offering.TryGetProperty("price", out var priceElement) || priceElement.ValueKind == JsonValueKind.Null)
                {
                    throw Error($"{at}.price", $"required (instance type {typeName})");
                }

                var price = Price(priceElement, $"{at}.price", typeName);
                var available = true;
                if (offering.TryGetProperty("available", out var availableElement) && availableElement.ValueKind != JsonValueKind.Null)
                {
                    available = availableElement.ValueKind switch
                    {
                        JsonValueKind.True => true,
                        JsonValueKind.False => false,
                        _ => throw Error($"{at}.available", $"expected true or false, found {Describe(availableElement)}"),
                    };
                }

                if (!seen.Add((zone, capacityType)))
                {
                    throw Error(at, $"duplicate {capacityType} offering in zone \"{zone}\" (instance type {typeName})");
                }

                offerings.Add(new Offering(zone, capacityType, (double)price, available));
                i++;
            }

            return offerings;
        }

        private Dictionary<string, string> Labels(JsonElement element, string path, string typeName)
        {
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            if (!element.TryGetProperty("labels", out var labelsElement) || labelsElement.ValueKind == JsonValueKind.Null)
            {
                return labels;
            }

            if (labelsElement.ValueKind != JsonValueKind.Object)
            {
                throw Error($"{path}.labels", $"expected an object of label values, found {Describe(labelsElement)}");
            }

            foreach (var label in labelsElement.EnumerateObject())
            {
                // Field paths are built only for messages: this loop runs ~20,000 times for a real catalog.
                var key = label.Name;
                if (label.Value.ValueKind != JsonValueKind.String)
                {
                    throw Error($"{path}.labels.{key}", $"expected a string, found {Describe(label.Value)}");
                }

                var value = label.Value.GetString()!;
                switch (key)
                {
                    case WellKnownLabels.Zone or WellKnownLabels.CapacityType:
                        throw Error($"{path}.labels.{key}", $"follows from each offering and must not be a label of the type (instance type {typeName})");
                    case WellKnownLabels.InstanceType when value != typeName:
                        throw Error($"{path}.labels.{key}", $"\"{value}\" differs from the type's name \"{typeName}\"");
                }

                labels[key] = value;
            }

            return labels;
        }

        private ResourceVector Resources(JsonElement element, string path, string typeName)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw Error(path, $"expected an object of quantities, found {Describe(element)}");
            }

            var quantities = new List<KeyValuePair<string, ResourceQuantity>>();
            foreach (var property in element.EnumerateObject())
            {
                var name = property.Name;
                // Plain numbers ("pods": 29) are quantities too.
                var text = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString()!,
                    JsonValueKind.Number => property.Value.GetRawText(),
                    _ => throw Error($"{path}.{name}", $"expected a quantity, found {Describe(property.Value)} (instance type {typeName})"),
                };
                if (!_quantities.TryGetValue((name, text), out var quantity))
                {
                    quantity = Quantities.TryParse(name, text, out var problem) ?? throw Error($"{path}.{name}", $"{problem} (instance type {typeName})");
                    _quantities[(name, text)] = quantity;
                }

                quantities.Add(new(name, quantity));
            }

            try
            {
                return ResourceVector.FromQuantities(quantities);
            }
            catch (OverflowException)
            {
                // Found by fuzzing: a quantity too large for the solver's fixed-point units; name the first one.
                var name = quantities.FirstOrDefault(Overflows).Key;
                throw name is null
                    ? Error(path, $"the quantities add up to more than can be counted (instance type {typeName})")
                    : Error($"{path}.{name}", $"too large (instance type {typeName})");
            }
        }

        private static bool Overflows(KeyValuePair<string, ResourceQuantity> quantity)
        {
            try
            {
                ResourceVector.FromQuantities([quantity]);
                return false;
            }
            catch (OverflowException)
            {
                return true;
            }
        }

        // Decimal keeps the price exactly as written, which the spot rule relies on.
        private decimal Price(JsonElement element, string field, string typeName)
        {
            if (element.ValueKind != JsonValueKind.Number || !element.TryGetDecimal(out var price))
            {
                throw Error(field, $"expected a price in dollars per hour, found {Describe(element)} (instance type {typeName})");
            }

            return price >= 0 ? price : throw Error(field, $"price {element.GetRawText()} is negative (instance type {typeName})");
        }

        private string RequiredString(JsonElement element, string property, string path, string typeName) =>
            element.TryGetProperty(property, out var value) && value.ValueKind != JsonValueKind.Null && String(value, $"{path}.{property}") is { Length: > 0 } text
                ? text
                : throw Error($"{path}.{property}", $"required (instance type {typeName})");

        private string String(JsonElement element, string field) =>
            element.ValueKind == JsonValueKind.String
                ? element.GetString()!
                : throw Error(field, $"expected a string, found {Describe(element)}");

        private ManifestException Error(string? field, string problem) => new(file, null, field, problem);

        private static string Describe(JsonElement element) => element.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => $"the string \"{element.GetString()}\"",
            JsonValueKind.Number => $"the number {element.GetRawText()}",
            JsonValueKind.True or JsonValueKind.False => $"the value {element.GetRawText()}",
            _ => "null",
        };
    }
}
