using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Karpenter.Orleans.Kubernetes.ApiServer;

/// <summary>
/// Server-side printing: the meta.k8s.io/v1 Table kubectl asks for on get. Every resource has
/// Name and Age; pods and nodes add their familiar columns; custom resources add their CRD's
/// additionalPrinterColumns.
/// </summary>
internal static class Tables
{
    private static readonly PrinterColumn Name = new("Name", "string", ".metadata.name", 0);
    private static readonly PrinterColumn Age = new("Age", "date", ".metadata.creationTimestamp", 0);

    public static bool Wanted(HttpRequest request) =>
        request.Headers.Accept.ToString().Contains("as=Table", StringComparison.Ordinal);

    public static JsonObject Of(ResourceType type, IReadOnlyList<JsonObject> items, string? resourceVersion, string? continueToken)
    {
        var columns = Columns(type);
        var metadata = new JsonObject();
        if (resourceVersion is not null)
        {
            metadata["resourceVersion"] = resourceVersion;
        }

        if (continueToken is not null)
        {
            metadata["continue"] = continueToken;
        }

        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = metadata,
            ["columnDefinitions"] = new JsonArray([.. columns.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Name,
                ["type"] = c.Type == "date" ? "string" : c.Type,
                ["format"] = c == Name ? "name" : "",
                ["description"] = "",
                ["priority"] = c.Priority,
            })]),
            ["rows"] = new JsonArray([.. items.Select(item => (JsonNode)new JsonObject
            {
                ["cells"] = new JsonArray([.. columns.Select(c => Cell(item, c))]),
                ["object"] = item.DeepClone(),
            })]),
        };
    }

    private static List<PrinterColumn> Columns(ResourceType type)
    {
        if (type.PrinterColumns.Count > 0)
        {
            var columns = new List<PrinterColumn> { Name };
            columns.AddRange(type.PrinterColumns);
            if (!type.PrinterColumns.Any(c => c.JsonPath == ".metadata.creationTimestamp"))
            {
                columns.Add(Age);
            }

            return columns;
        }

        return type.StorageKey switch
        {
            "pods" =>
            [
                Name,
                new PrinterColumn("Status", "string", ".status.phase", 0),
                new PrinterColumn("Node", "string", ".spec.nodeName", 0),
                Age,
            ],
            "nodes" =>
            [
                Name,
                new PrinterColumn("Status", "string", ".status.conditions[?(@.type==\"Ready\")].status", 0),
                Age,
            ],
            _ => [Name, Age],
        };
    }

    private static JsonNode? Cell(JsonObject item, PrinterColumn column)
    {
        var value = JsonPath(item, column.JsonPath);
        if (column.Type == "date")
        {
            return value.Str() is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                ? HumanAge(DateTimeOffset.UtcNow - at)
                : "<unknown>";
        }

        if (column.Name == "Status" && item["kind"].Str() == "Node")
        {
            return value.Str() == "True" ? "Ready" : "NotReady";
        }

        return value?.DeepClone() ?? (column.Type is "string" ? "" : null);
    }

    /// <summary>The subset of kubectl's JSONPath the printer columns use: .a.b, .a\.b (escaped dot), [n], [?(@.k=="v")].</summary>
    internal static JsonNode? JsonPath(JsonNode? node, string path)
    {
        var rest = path.Trim().TrimStart('{').TrimEnd('}');
        while (rest.Length > 0 && node is not null)
        {
            if (rest[0] == '.')
            {
                // A key ends at the next unescaped '.' or '['; "\." is a dot inside the key, as in
                // .metadata.labels.node\.kubernetes\.io/instance-type.
                var key = new System.Text.StringBuilder();
                var end = 1;
                for (; end < rest.Length && rest[end] is not ('.' or '['); end++)
                {
                    if (rest[end] == '\\' && end + 1 < rest.Length)
                    {
                        end++;
                    }

                    key.Append(rest[end]);
                }

                node = node is JsonObject o ? o[key.ToString()] : null;
                rest = rest[end..];
            }
            else if (rest[0] == '[')
            {
                var end = rest.IndexOf(']', StringComparison.Ordinal);
                if (end < 0)
                {
                    return null;
                }

                var inner = rest[1..end];
                rest = rest[(end + 1)..];
                if (int.TryParse(inner, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    node = node is JsonArray a && index < a.Count ? a[index] : null;
                }
                else if (inner.StartsWith("?(@.", StringComparison.Ordinal) && inner.Contains("==", StringComparison.Ordinal))
                {
                    var filter = inner[4..^1];
                    var eq = filter.IndexOf("==", StringComparison.Ordinal);
                    var key = filter[..eq];
                    var expected = filter[(eq + 2)..].Trim('"', '\'');
                    node = (node as JsonArray)?.OfType<JsonObject>().FirstOrDefault(e => e[key].Str() == expected);
                }
                else
                {
                    return null;
                }
            }
            else
            {
                return null;
            }
        }

        return node;
    }

    // kubectl's human durations: 45s, 3m20s, 17m, 5h12m, 30h, 3d4h, 40d, 2y.
    private static string HumanAge(TimeSpan age)
    {
        var seconds = Math.Max(0, (long)age.TotalSeconds);
        var minutes = seconds / 60;
        var hours = minutes / 60;
        var days = hours / 24;
        return seconds switch
        {
            < 120 => $"{seconds}s",
            _ when minutes < 10 => seconds % 60 == 0 ? $"{minutes}m" : $"{minutes}m{seconds % 60}s",
            _ when minutes < 180 => $"{minutes}m",
            _ when hours < 8 => minutes % 60 == 0 ? $"{hours}h" : $"{hours}h{minutes % 60}m",
            _ when hours < 48 => $"{hours}h",
            _ when hours < 192 => hours % 24 == 0 ? $"{days}d" : $"{days}d{hours % 24}h",
            _ when days < 730 => $"{days}d",
            _ => $"{days / 365}y",
        };
    }
}
