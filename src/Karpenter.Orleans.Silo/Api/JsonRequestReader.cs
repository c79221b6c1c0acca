using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.Silo.Api;

/// <summary>
/// Reads a JSON body completely, within the size limit, before any of it is acted on: a body that is too
/// large, malformed or of the wrong shape is refused whole, with the offending field named. Fields the
/// contract does not have, and required fields left out, are refused too (<see cref="JsonShape"/>).
/// </summary>
internal sealed class JsonRequestReader(IOptions<JsonOptions> json, IOptions<KarpoApiOptions> api)
{
    public async Task<T> ReadAsync<T>(HttpRequest request)
        where T : class
    {
        if (request.HasJsonContentType() is false && !string.IsNullOrEmpty(request.ContentType))
        {
            throw new ApiException(StatusCodes.Status415UnsupportedMediaType, "the body must be application/json", "body");
        }

        var body = await ReadBoundedAsync(request);
        if (body.Length == 0)
        {
            throw ApiException.BadRequest("a JSON body is required", "body");
        }

        // JSON is UTF-8 (RFC 8259); the parser checks that only for the strings it is asked to decode, so a
        // broken byte in a property name would otherwise surface later as an InvalidOperationException (found by fuzzing).
        if (!System.Text.Unicode.Utf8.IsValid(body.Span))
        {
            throw ApiException.BadRequest("the body is not valid UTF-8", "body");
        }

        T? value;
        try
        {
            var options = json.Value.SerializerOptions;
            using (var document = JsonDocument.Parse(body, new JsonDocumentOptions
            {
                MaxDepth = options.MaxDepth == 0 ? 64 : options.MaxDepth,
                AllowTrailingCommas = options.AllowTrailingCommas,
                CommentHandling = options.ReadCommentHandling == JsonCommentHandling.Skip ? JsonCommentHandling.Skip : JsonCommentHandling.Disallow,
            }))
            {
                JsonShape.Check(document.RootElement, options.GetTypeInfo(typeof(T)), string.Empty);
            }

            value = JsonSerializer.Deserialize<T>(body.Span, options);
        }
        catch (JsonException exception)
        {
            var field = FieldOf(exception.Path);
            throw ApiException.BadRequest(
                field is null
                    ? $"the body is not valid JSON (line {exception.LineNumber + 1}, byte {exception.BytePositionInLine})"
                    : $"'{field}' is malformed or of the wrong type",
                field ?? "body");
        }

        return value ?? throw ApiException.BadRequest("the body must be a JSON object", "body");
    }

    private async Task<ReadOnlyMemory<byte>> ReadBoundedAsync(HttpRequest request)
    {
        var limit = api.Value.BodyLimitOf(request);
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
            {
                // A body sent without a length is counted as it arrives, so it can never grow past the limit in memory.
                if (buffer.Length + read > limit)
                {
                    throw ApiException.TooLarge(limit);
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }

    // "$.objects[2].kind" -> "objects[2].kind"; the root itself names no field, nor does "$." (a property named "").
    private static string? FieldOf(string? path) =>
        (path is null ? "" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$')) is { Length: > 0 } field ? field : null;
}
