using System.Text.Json.Nodes;

namespace Karpenter.Orleans.Kubernetes.ApiServer;

/// <summary>
/// The patch formats PATCH accepts: JSON merge patch (RFC 7386), a strategic merge patch (merge
/// patch where lists of objects with a known merge key are merged element by element and other
/// lists replaced; directives such as <c>$setElementOrder</c> are honoured as far as dropping
/// them), and JSON patch (RFC 6902).
/// </summary>
internal static class Patches
{
    // The merge keys of the lists a strategic merge patch merges; others are replaced, which is
    // what a merge patch does. Taken from the Kubernetes API types' patchMergeKey tags.
    private static readonly Dictionary<string, string> MergeKeys = new(StringComparer.Ordinal)
    {
        ["containers"] = "name",
        ["initContainers"] = "name",
        ["ephemeralContainers"] = "name",
        ["volumes"] = "name",
        ["env"] = "name",
        ["volumeMounts"] = "mountPath",
        ["volumeDevices"] = "devicePath",
        ["ports"] = "containerPort",
        ["conditions"] = "type",
        ["taints"] = "key",
        ["imagePullSecrets"] = "name",
        ["ownerReferences"] = "uid",
        ["hostAliases"] = "ip",
        ["topologySpreadConstraints"] = "topologyKey",
        ["resourceClaims"] = "name",
        ["containerStatuses"] = "name",
        ["initContainerStatuses"] = "name",
    };

    public static JsonNode? Merge(JsonNode? target, JsonNode? patch, bool strategic)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        if (strategic && patchObject["$patch"].Str() == "replace")
        {
            var replaced = (JsonObject)patchObject.DeepClone();
            replaced.Remove("$patch");
            return replaced;
        }

        var result = target is JsonObject t ? (JsonObject)t.DeepClone() : new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (strategic && key.StartsWith('$'))
            {
                // $setElementOrder/..., $retainKeys, $deleteFromPrimitiveList/...: ordering and
                // retention hints; the merged result is the same without them for what we serve.
                if (key.StartsWith("$deleteFromPrimitiveList/", StringComparison.Ordinal) && value is JsonArray remove)
                {
                    var field = key["$deleteFromPrimitiveList/".Length..];
                    if (result[field] is JsonArray list)
                    {
                        var drop = remove.Select(n => n?.ToJsonString()).ToHashSet();
                        result[field] = new JsonArray([.. list.Where(n => !drop.Contains(n?.ToJsonString())).Select(n => n?.DeepClone())]);
                    }
                }

                continue;
            }

            if (value is null)
            {
                result.Remove(key);
            }
            else if (strategic && value is JsonArray patchList && MergeKeys.TryGetValue(key, out var mergeKey)
                     && patchList.All(e => e is JsonObject o && o[mergeKey] is not null))
            {
                result[key] = MergeList(result[key] as JsonArray, patchList, mergeKey);
            }
            else if (value is JsonObject)
            {
                result[key] = Merge(result[key], value, strategic);
            }
            else
            {
                result[key] = value.DeepClone();
            }
        }

        return result;
    }

    private static JsonArray MergeList(JsonArray? target, JsonArray patch, string mergeKey)
    {
        var items = target?.Select(n => n?.DeepClone()).ToList() ?? [];
        foreach (var element in patch.Cast<JsonObject>())
        {
            var key = element[mergeKey]!.ToJsonString();
            var index = items.FindIndex(n => n is JsonObject o && o[mergeKey]?.ToJsonString() == key);
            if (element["$patch"].Str() == "delete")
            {
                if (index >= 0)
                {
                    items.RemoveAt(index);
                }

                continue;
            }

            if (index >= 0)
            {
                items[index] = Merge(items[index], element, strategic: true);
            }
            else
            {
                items.Add(Merge(null, element, strategic: true));
            }
        }

        return new JsonArray([.. items]);
    }

    /// <summary>Applies an RFC 6902 JSON patch; a failing operation is a 422 naming it.</summary>
    public static JsonNode ApplyJsonPatch(JsonNode target, JsonArray operations)
    {
        var document = target.DeepClone();
        for (var i = 0; i < operations.Count; i++)
        {
            if (operations[i] is not JsonObject op)
            {
                throw Unprocessable(i, "operation is not an object");
            }

            var name = op["op"].Str() ?? throw Unprocessable(i, "missing \"op\"");
            var path = op["path"].Str() ?? throw Unprocessable(i, "missing \"path\"");
            switch (name)
            {
                case "add":
                    document = Add(document, path, op["value"]?.DeepClone(), i);
                    break;
                case "remove":
                    document = Remove(document, path, i, out _);
                    break;
                case "replace":
                    document = Remove(document, path, i, out _);
                    document = Add(document, path, op["value"]?.DeepClone(), i);
                    break;
                case "move":
                {
                    var from = op["from"].Str() ?? throw Unprocessable(i, "missing \"from\"");
                    document = Remove(document, from, i, out var moved);
                    document = Add(document, path, moved, i);
                    break;
                }

                case "copy":
                {
                    var from = op["from"].Str() ?? throw Unprocessable(i, "missing \"from\"");
                    document = Add(document, path, Get(document, from, i)?.DeepClone(), i);
                    break;
                }

                case "test":
                    if (!JsonNode.DeepEquals(Get(document, path, i), op["value"]))
                    {
                        throw Unprocessable(i, $"test failed: the value at {path} differs");
                    }

                    break;
                default:
                    throw Unprocessable(i, $"unknown op \"{name}\"");
            }
        }

        return document;
    }

    private static List<string> Pointer(string path, int i)
    {
        if (path.Length == 0)
        {
            return [];
        }

        if (!path.StartsWith('/'))
        {
            throw Unprocessable(i, $"path \"{path}\" does not start with /");
        }

        return [.. path[1..].Split('/').Select(p => p.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))];
    }

    private static JsonNode? Get(JsonNode document, string path, int i) => Walk(document, Pointer(path, i), path, i);

    private static JsonNode? Walk(JsonNode document, List<string> parts, string path, int i)
    {
        JsonNode? node = document;
        foreach (var part in parts)
        {
            node = node switch
            {
                JsonObject o when o.TryGetPropertyValue(part, out var child) => child,
                JsonArray a when int.TryParse(part, out var index) && index >= 0 && index < a.Count => a[index],
                _ => throw Unprocessable(i, $"path {path} does not exist"),
            };
        }

        return node;
    }

    private static JsonNode Add(JsonNode document, string path, JsonNode? value, int i)
    {
        var parts = Pointer(path, i);
        if (parts.Count == 0)
        {
            return value ?? throw Unprocessable(i, "cannot replace the document with null");
        }

        var parent = Walk(document, parts[..^1], path, i);
        var last = parts[^1];
        switch (parent)
        {
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a when last == "-":
                a.Add(value);
                break;
            case JsonArray a when int.TryParse(last, out var index) && index >= 0 && index <= a.Count:
                a.Insert(index, value);
                break;
            default:
                throw Unprocessable(i, $"cannot add at {path}");
        }

        return document;
    }

    private static JsonNode Remove(JsonNode document, string path, int i, out JsonNode? removed)
    {
        var parts = Pointer(path, i);
        if (parts.Count == 0)
        {
            throw Unprocessable(i, "cannot remove the whole document");
        }

        var parent = Walk(document, parts[..^1], path, i);
        var last = parts[^1];
        switch (parent)
        {
            case JsonObject o when o.TryGetPropertyValue(last, out var child):
                removed = child;
                o.Remove(last);
                break;
            case JsonArray a when int.TryParse(last, out var index) && index >= 0 && index < a.Count:
                removed = a[index];
                a.RemoveAt(index);
                break;
            default:
                throw Unprocessable(i, $"path {path} does not exist");
        }

        return document;
    }

    private static ApiException Unprocessable(int index, string why) =>
        new(422, "Invalid", $"the JSON patch's operation {index} cannot be applied: {why}");
}
