using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Karpenter.Orleans.Kubernetes.ApiServer;

/// <summary>
/// Minimal OpenAPI v3 documents: the /openapi/v3 index and, per group/version, each resource's
/// paths with their operations tagged with x-kubernetes-group-version-kind and the
/// fieldValidation parameter. That is what kubectl reads to learn that the server validates
/// fields itself, so <c>kubectl apply</c> works without --validate=false. There are no schemas:
/// kubectl falls back to its built-in types for strategic merge patches. /openapi/v2 is an
/// empty Swagger 2.0 document (in protobuf when asked, as older kubectl asks): kubectl skips
/// client-side validation of kinds it has no schema for.
/// </summary>
internal static class OpenApi
{
    public static async Task WriteAsync(HttpContext context, string[] segments, ResourceRegistry registry)
    {
        JsonObject body;
        switch (segments)
        {
            case ["openapi", "v2"]:
                await WriteSwaggerAsync(context);
                return;
            case ["openapi", "v3"]:
                var paths = new JsonObject { ["api/v1"] = Link("api/v1", registry) };
                foreach (var (group, versions) in registry.Groups())
                {
                    foreach (var version in versions)
                    {
                        var key = $"apis/{group}/{version}";
                        paths[key] = Link(key, registry);
                    }
                }

                body = new JsonObject { ["paths"] = paths };
                break;
            case ["openapi", "v3", "api", var v]:
                body = Document(registry, "", v);
                break;
            case ["openapi", "v3", "apis", var g, var v]:
                body = Document(registry, g, v);
                break;
            default:
                throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    private static async Task WriteSwaggerAsync(HttpContext context)
    {
        const string title = "Kubernetes";
        const string version = "v1.32.0";
        context.Response.StatusCode = 200;
        if (context.Request.Headers.Accept.ToString().Contains("protobuf", StringComparison.Ordinal))
        {
            // gnostic's openapi_v2.Document: swagger = 1, info = 2 (Info: title = 1, version = 2).
            var info = Concat(Field(1, title), Field(2, version));
            context.Response.ContentType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
            await context.Response.Body.WriteAsync(Concat(Field(1, "2.0"), Field(2, info)), context.RequestAborted);
            return;
        }

        context.Response.ContentType = "application/json";
        var document = new JsonObject
        {
            ["swagger"] = "2.0",
            ["info"] = new JsonObject { ["title"] = title, ["version"] = version },
            ["paths"] = new JsonObject(),
            ["definitions"] = new JsonObject(),
        };
        await context.Response.WriteAsync(document.ToJsonString(), context.RequestAborted);
    }

    private static byte[] Field(int number, string text) => Field(number, System.Text.Encoding.UTF8.GetBytes(text));

    // A length-delimited protobuf field; the documents here are far below 2^14 bytes.
    private static byte[] Field(int number, byte[] payload)
    {
        var length = payload.Length < 0x80 ? [(byte)payload.Length] : new[] { (byte)(0x80 | (payload.Length & 0x7F)), (byte)(payload.Length >> 7) };
        return Concat([(byte)((number << 3) | 2)], length, payload);
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    // The hash changes with the served types, so a client's cached document is refreshed when a CRD arrives.
    private static JsonObject Link(string key, ResourceRegistry registry)
    {
        var types = string.Join(',', registry.All().Select(t => t.ApiVersion + "/" + t.Plural));
        var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(types)))[..16];
        return new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{key}?hash={hash}" };
    }

    private static JsonObject Document(ResourceRegistry registry, string group, string version)
    {
        var types = registry.All().Where(t => t.Group == group && t.Version == version).ToList();
        if (types.Count == 0)
        {
            throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        }

        var paths = new JsonObject();
        foreach (var t in types)
        {
            var prefix = group.Length == 0 ? $"/api/{version}" : $"/apis/{group}/{version}";
            var collection = t.Namespaced ? $"{prefix}/namespaces/{{namespace}}/{t.Plural}" : $"{prefix}/{t.Plural}";
            paths[collection] = new JsonObject { ["post"] = Operation(t, "create"), ["get"] = Operation(t, "list") };
            paths[collection + "/{name}"] = new JsonObject
            {
                ["get"] = Operation(t, "read"),
                ["put"] = Operation(t, "replace"),
                ["patch"] = Operation(t, "patch"),
                ["delete"] = Operation(t, "delete"),
            };
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.32.0" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = new JsonObject() },
        };
    }

    private static JsonObject Operation(ResourceType type, string action) => new()
    {
        ["operationId"] = $"{action}{type.Kind}",
        ["parameters"] = new JsonArray(new JsonObject
        {
            ["name"] = "fieldValidation",
            ["in"] = "query",
            ["description"] = "how the server treats unknown or duplicate fields",
            ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true },
        }),
        ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
        ["x-kubernetes-action"] = action,
        ["x-kubernetes-group-version-kind"] = new JsonObject { ["group"] = type.Group, ["version"] = type.Version, ["kind"] = type.Kind },
    };
}
