using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Karpenter.Orleans.Kubernetes.ApiServer;

/// <summary>
/// Turns an HTTP request into a store operation: resolves /api/v1/... and /apis/group/version/...
/// paths to a resource, namespace, name and subresource, and answers errors as Status objects.
/// </summary>
internal sealed class ApiRequestHandler(ObjectStore store, KubeApiServerOptions options, Func<string> serverAddress, Action<string> log)
{
    private const string Json = "application/json";

    /// <summary>A test's fault rule: given "METHOD /path?query", the status code to fail with, or null to serve.</summary>
    public Func<string, int?>? Faults { get; set; }

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var line = $"{request.Method} {request.Path}{request.QueryString}";
        log(line);
        try
        {
            if (Faults?.Invoke(line) is { } injected)
            {
                throw new ApiException(injected, injected switch
                {
                    429 => "TooManyRequests",
                    500 => "InternalError",
                    503 => "ServiceUnavailable",
                    504 => "Timeout",
                    _ => "InternalError",
                }, $"injected failure {injected} for {line}");
            }

            var path = request.Path.Value ?? "/";
            if (path is "/healthz" or "/livez" or "/readyz")
            {
                context.Response.ContentType = "text/plain";
                await context.Response.WriteAsync("ok", context.RequestAborted);
                return;
            }

            if (!Authorized(request))
            {
                throw new ApiException(401, "Unauthorized", "Unauthorized");
            }

            await RouteAsync(context, path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries));
        }
        catch (ApiException e)
        {
            await WriteAsync(context, e.Code, e.ToStatus());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await WriteAsync(context, 500, StatusObjects.Failure(500, "InternalError", $"Internal error occurred: {e.Message}"));
        }
    }

    private bool Authorized(HttpRequest request)
    {
        if (options.BearerTokens.Count == 0)
        {
            return true;
        }

        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.Ordinal) && options.BearerTokens.Contains(header["Bearer ".Length..].Trim());
    }

    private async Task RouteAsync(HttpContext context, string[] segments)
    {
        var registry = store.Registry;
        switch (segments)
        {
            case ["version"]:
                await WriteAsync(context, 200, Discovery.Version());
                return;
            case ["api"]:
                await WriteAsync(context, 200, Discovery.CoreVersions(serverAddress()));
                return;
            case ["apis"]:
                await WriteAsync(context, 200, Discovery.GroupList(registry));
                return;
            case ["api", var v]:
                await WriteAsync(context, 200, Discovery.Resources(registry, "", v) ?? throw NotFoundPath(context));
                return;
            case ["apis", var g]:
                await WriteAsync(context, 200, Discovery.GroupOf(registry, g) ?? throw NotFoundPath(context));
                return;
            case ["apis", var g, var v]:
                await WriteAsync(context, 200, Discovery.Resources(registry, g, v) ?? throw NotFoundPath(context));
                return;
            case ["openapi", ..]:
                await OpenApi.WriteAsync(context, segments, registry);
                return;
            case ["api", var v, .. var rest]:
                await ResourceAsync(context, "", v, rest);
                return;
            case ["apis", var g, var v, .. var rest]:
                await ResourceAsync(context, g, v, rest);
                return;
            default:
                throw NotFoundPath(context);
        }
    }

    private async Task ResourceAsync(HttpContext context, string group, string version, string[] rest)
    {
        var registry = store.Registry;
        var query = context.Request.Query;
        var watch = query["watch"] is { Count: > 0 } w && w[0] is "1" or "true";
        if (rest is ["watch", .. var watched])
        {
            watch = true;
            rest = watched;
        }

        string? ns = null;
        if (rest.Length >= 3 && rest[0] == "namespaces" && registry.Find(group, version, rest[2]) is { Namespaced: true })
        {
            ns = rest[1];
            rest = rest[2..];
        }

        if (rest.Length is 0 or > 3)
        {
            throw NotFoundPath(context);
        }

        var type = registry.Find(group, version, rest[0]) ?? throw NotFoundPath(context);
        if (type.Namespaced && ns is null && (rest.Length > 1 || context.Request.Method is "POST"))
        {
            // Namespaced objects are created, read and written only under /namespaces/<ns>/.
            throw NotFoundPath(context);
        }

        var name = rest.Length > 1 ? rest[1] : null;
        var subresource = rest.Length > 2 ? rest[2] : null;
        if (subresource is not (null or "status" or "eviction" or "binding") || (subresource == "status" && !type.HasStatus)
            || (subresource is "eviction" or "binding" && type.StorageKey != ResourceRegistry.Pods.StorageKey))
        {
            throw NotFoundPath(context);
        }

        var dryRun = query["dryRun"].Count > 0;
        var fieldValidation = FieldValidationOf(query["fieldValidation"].ToString());
        var warnings = new List<string>();

        // Warnings go out as headers, so they are set before the body starts.
        context.Response.OnStarting(() =>
        {
            foreach (var warning in warnings)
            {
                context.Response.Headers.Append("Warning", $"299 - \"{warning.Replace("\"", "\\\"", StringComparison.Ordinal)}\"");
            }

            return Task.CompletedTask;
        });
        var method = context.Request.Method;
        switch (method)
        {
            case "GET" when name is null && watch:
                await WatchAsync(context, type, ns, ListQueryOf(context, type));
                return;
            case "GET" when name is null:
                await WriteListAsync(context, type, store.List(type, ns, ListQueryOf(context, type)));
                return;
            case "GET":
                await WriteObjectAsync(context, 200, type, store.Get(type, ns, name));
                return;
            case "POST" when name is null:
                await WriteObjectAsync(context, 201, type, store.Create(type, ns, await ReadObjectAsync(context), dryRun, fieldValidation, warnings));
                return;
            case "POST" when subresource == "eviction":
                await EvictAsync(context, ns!, name);
                return;
            case "POST" when subresource == "binding":
                await BindAsync(context, ns!, name, dryRun);
                return;
            case "PUT" when name is not null && subresource is not ("eviction" or "binding"):
                await WriteObjectAsync(context, 200, type, store.Update(type, ns, name, await ReadObjectAsync(context), subresource == "status", dryRun, fieldValidation, warnings));
                return;
            case "PATCH" when name is not null && subresource is not ("eviction" or "binding"):
                await PatchAsync(context, type, ns, name, subresource == "status", dryRun, fieldValidation, warnings);
                return;
            case "DELETE" when name is null:
                var deleted = store.DeleteCollection(type, ns, ListQueryOf(context, type), dryRun);
                await WriteListAsync(context, type, new ListResult(deleted, store.ResourceVersion, null, null));
                return;
            case "DELETE" when subresource is null:
                var body = await ReadBodyAsync(context);
                var deleteOptions = (body.Length == 0 ? null : YamlJson.Parse(body) as JsonObject) ?? [];
                if (long.TryParse(query["gracePeriodSeconds"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var grace))
                {
                    // DeleteOptions may come as query parameters too; the body wins, as upstream.
                    deleteOptions["gracePeriodSeconds"] ??= grace;
                }

                var (gone, deletedNow) = store.Delete(type, ns, name, deleteOptions, dryRun);
                if (deletedNow && !type.ReturnsDeletedObject)
                {
                    // Most resources answer a completed delete with a Status naming what went, as upstream.
                    await WriteAsync(context, 200, StatusObjects.Success(200, new JsonObject
                    {
                        ["name"] = name,
                        ["group"] = type.Group,
                        ["kind"] = type.Plural,
                        ["uid"] = gone["metadata"]?["uid"]?.DeepClone(),
                    }));
                }
                else
                {
                    await WriteObjectAsync(context, 200, type, gone);
                }

                return;
            default:
                throw new ApiException(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource");
        }
    }

    private async Task EvictAsync(HttpContext context, string ns, string name)
    {
        var eviction = await ReadObjectAsync(context);
        if (eviction["metadata"]?["name"].Str() is { } evicted && evicted != name)
        {
            throw ApiException.BadRequest($"name in URL does not match name in Eviction object");
        }

        await WriteAsync(context, 201, store.Evict(ns, name, eviction["deleteOptions"]?["gracePeriodSeconds"].Int()));
    }

    /// <summary>
    /// The binding subresource, as kube-scheduler binds: sets the pod's spec.nodeName to the Binding's
    /// target once; binding a pod that already has a node is a conflict, as upstream.
    /// </summary>
    private async Task BindAsync(HttpContext context, string ns, string name, bool dryRun)
    {
        var binding = await ReadObjectAsync(context);
        if (binding["metadata"]?["name"].Str() is { Length: > 0 } bound && bound != name)
        {
            throw ApiException.BadRequest("name in URL does not match name in Binding object");
        }

        if (binding["target"]?["name"].Str() is not { Length: > 0 } node)
        {
            throw ApiException.Invalid(ResourceRegistry.Pods, name, "target.name", "Required value: a Binding names the node to bind to");
        }

        if (binding["target"]?["kind"].Str() is { Length: > 0 } kind && kind != "Node")
        {
            throw ApiException.Invalid(ResourceRegistry.Pods, name, "target.kind", $"Unsupported value: \"{kind}\": a pod binds to a Node");
        }

        store.Patch(ResourceRegistry.Pods, ns, name, pod =>
        {
            var spec = pod!["spec"] as JsonObject ?? throw ApiException.Invalid(ResourceRegistry.Pods, name, "spec", "Required value");
            if (spec["nodeName"].Str() is { Length: > 0 } current)
            {
                throw ApiException.Conflict(ResourceRegistry.Pods, name, $"pod {name} is already assigned to node \"{current}\"");
            }

            spec["nodeName"] = node;
            return pod;
        }, statusOnly: false, createIfMissing: false, dryRun);
        await WriteAsync(context, 201, StatusObjects.Success(201));
    }

    private async Task PatchAsync(HttpContext context, ResourceType type, string? ns, string name, bool statusOnly, bool dryRun, FieldValidation fieldValidation, List<string> warnings)
    {
        var contentType = (context.Request.ContentType ?? "").Split(';')[0].Trim();
        var text = await ReadBodyAsync(context);
        var patch = YamlJson.Parse(text);
        var fieldManager = context.Request.Query["fieldManager"].ToString();
        Func<JsonObject?, JsonObject> change;
        var apply = false;
        switch (contentType)
        {
            case "application/merge-patch+json":
                change = current => Patches.Merge(current, patch, strategic: false) as JsonObject ?? throw ApiException.BadRequest("the patch is not a JSON object");
                break;
            case "application/strategic-merge-patch+json":
                if (type.IsCustom)
                {
                    throw new ApiException(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
                }

                change = current => Patches.Merge(current, patch, strategic: true) as JsonObject ?? throw ApiException.BadRequest("the patch is not a JSON object");
                break;
            case "application/json-patch+json":
                var operations = patch as JsonArray ?? throw ApiException.BadRequest("a JSON patch must be a JSON array of operations");
                change = current => Patches.ApplyJsonPatch(current!, operations) as JsonObject ?? throw ApiException.BadRequest("the JSON patch did not produce an object");
                break;
            case "application/apply-patch+yaml":
                if (fieldManager.Length == 0)
                {
                    throw new ApiException(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
                }

                var applied = patch as JsonObject ?? throw ApiException.BadRequest("an apply patch must be an object");
                if (applied["metadata"]?["name"].Str() is { } appliedName && appliedName != name)
                {
                    throw ApiException.BadRequest($"the name of the object ({appliedName}) does not match the name on the URL ({name})");
                }

                apply = true;
                change = current =>
                {
                    if (current is null)
                    {
                        return WithManager((JsonObject)applied.DeepClone(), fieldManager, type, "Apply");
                    }

                    var merged = (JsonObject)Patches.Merge(current, applied, strategic: !type.IsCustom)!;
                    // Re-applying the same configuration is a no-op: no new managedFields time, no new resourceVersion.
                    return JsonNode.DeepEquals(merged, current) ? current : WithManager(merged, fieldManager, type, "Apply");
                };
                break;
            default:
                throw new ApiException(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
        }

        var (result, created) = store.Patch(type, ns, name, change, statusOnly, createIfMissing: apply, dryRun, fieldValidation, warnings);
        await WriteObjectAsync(context, created ? 201 : 200, type, result);
    }

    // Server-side apply here merges rather than tracking field ownership; the managedFields entry
    // still names who applied, which is what clients read back.
    private JsonObject WithManager(JsonObject obj, string manager, ResourceType type, string operation)
    {
        var metadata = ObjectStore.Metadata(obj);
        var entries = metadata["managedFields"] as JsonArray ?? [];
        var kept = entries.OfType<JsonObject>()
            .Where(e => !(e["manager"].Str() == manager && e["operation"].Str() == operation))
            .Select(e => (JsonNode)e.DeepClone())
            .ToList();
        kept.Add(new JsonObject
        {
            ["manager"] = manager,
            ["operation"] = operation,
            ["apiVersion"] = type.ApiVersion,
            ["time"] = options.TimeProvider.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["fieldsType"] = "FieldsV1",
            ["fieldsV1"] = new JsonObject(),
        });
        metadata["managedFields"] = new JsonArray([.. kept]);
        return obj;
    }

    private async Task WatchAsync(HttpContext context, ResourceType type, string? ns, ListQuery query)
    {
        var q = context.Request.Query;
        var bookmarks = q["allowWatchBookmarks"].ToString() is "true" or "1";
        var initialEvents = q["sendInitialEvents"].ToString() is "true" or "1";
        var watcher = store.Watch(type, ns, query, bookmarks, initialEvents, Tables.Wanted(context.Request));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        if (int.TryParse(q["timeoutSeconds"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(seconds));
        }

        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = Json;
        response.Headers.CacheControl = "no-cache, private";
        try
        {
            await response.StartAsync(timeout.Token);
            await response.Body.FlushAsync(timeout.Token);
            var reader = watcher.Lines;
            while (await reader.WaitToReadAsync(timeout.Token))
            {
                while (reader.TryRead(out var line))
                {
                    await response.Body.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), timeout.Token);
                }

                await response.Body.FlushAsync(timeout.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away or timeoutSeconds passed: the watch simply ends.
        }
        finally
        {
            store.StopWatching(watcher);
        }
    }

    private static ListQuery ListQueryOf(HttpContext context, ResourceType type)
    {
        var q = context.Request.Query;
        var limit = 0;
        if (q["limit"].ToString() is { Length: > 0 } l && (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 0))
        {
            throw ApiException.BadRequest($"invalid limit \"{l}\"");
        }

        return new ListQuery(
            LabelSelector.Parse(q["labelSelector"].ToString()),
            FieldSelector.Parse(q["fieldSelector"].ToString(), type),
            limit,
            NullIfEmpty(q["continue"].ToString()),
            NullIfEmpty(q["resourceVersion"].ToString()),
            NullIfEmpty(q["resourceVersionMatch"].ToString()));
    }

    private static FieldValidation FieldValidationOf(string value) => value switch
    {
        "" or "Warn" => FieldValidation.Warn,
        "Strict" => FieldValidation.Strict,
        "Ignore" => FieldValidation.Ignore,
        _ => throw ApiException.BadRequest($"fieldValidation: Unsupported value: \"{value}\": supported values: \"Ignore\", \"Strict\", \"Warn\""),
    };

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;

    private static async Task<string> ReadBodyAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(context.RequestAborted);
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpContext context)
    {
        var contentType = (context.Request.ContentType ?? Json).Split(';')[0].Trim();
        if (contentType is not (Json or "application/yaml" or "*/*"))
        {
            throw new ApiException(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml");
        }

        var text = await ReadBodyAsync(context);
        return YamlJson.Parse(text) as JsonObject ?? throw ApiException.BadRequest("the request body is not a JSON object");
    }

    private static Task WriteObjectAsync(HttpContext context, int code, ResourceType type, JsonObject obj) =>
        Tables.Wanted(context.Request) ? WriteAsync(context, code, Tables.Of(type, [obj], null, null)) : WriteAsync(context, code, obj);

    private static Task WriteListAsync(HttpContext context, ResourceType type, ListResult list)
    {
        var rv = list.ResourceVersion.ToString(CultureInfo.InvariantCulture);
        if (Tables.Wanted(context.Request))
        {
            return WriteAsync(context, 200, Tables.Of(type, list.Items, rv, list.Continue));
        }

        var metadata = new JsonObject { ["resourceVersion"] = rv };
        if (list.Continue is not null)
        {
            metadata["continue"] = list.Continue;
        }

        if (list.RemainingItemCount is { } remaining)
        {
            metadata["remainingItemCount"] = remaining;
        }

        return WriteAsync(context, 200, new JsonObject
        {
            ["kind"] = type.ListKind,
            ["apiVersion"] = type.ApiVersion,
            ["metadata"] = metadata,
            ["items"] = new JsonArray([.. list.Items]),
        });
    }

    private static async Task WriteAsync(HttpContext context, int code, JsonObject body)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.StatusCode = code;
        context.Response.ContentType = body["kind"].Str() == "Table" ? "application/json;as=Table;v=v1;g=meta.k8s.io" : Json;
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    private static ApiException NotFoundPath(HttpContext context) =>
        new(404, "NotFound", "the server could not find the requested resource", new JsonObject { ["causes"] = new JsonArray(new JsonObject
        {
            ["reason"] = "UnexpectedServerResponse",
            ["message"] = $"404 page not found: {context.Request.Path}",
        }) });
}
