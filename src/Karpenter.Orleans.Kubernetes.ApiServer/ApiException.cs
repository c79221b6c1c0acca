using System.Text.Json.Nodes;

namespace Karpenter.Orleans.Kubernetes.ApiServer;

/// <summary>
/// A request the API server refuses, answered as a <c>Status</c> object with the code, reason
/// and message the real server uses (NotFound, AlreadyExists, Conflict, Invalid, TooManyRequests...).
/// </summary>
internal sealed class ApiException(int code, string reason, string message, JsonObject? details = null) : Exception(message)
{
    public int Code { get; } = code;

    public string Reason { get; } = reason;

    public JsonObject? Details { get; } = details;

    public static ApiException NotFound(ResourceType type, string name) =>
        new(404, "NotFound", $"{type.QualifiedName} \"{name}\" not found", Describe(type, name));

    public static ApiException AlreadyExists(ResourceType type, string name) =>
        new(409, "AlreadyExists", $"{type.QualifiedName} \"{name}\" already exists", Describe(type, name));

    public static ApiException Conflict(ResourceType type, string name, string why) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {type.QualifiedName} \"{name}\": {why}", Describe(type, name));

    public static ApiException Invalid(ResourceType type, string name, string field, string why) =>
        new(422, "Invalid", $"{type.Kind} \"{name}\" is invalid: {field}: {why}", Describe(type, name, new JsonArray(new JsonObject
        {
            ["reason"] = "FieldValueInvalid",
            ["message"] = $"{why}",
            ["field"] = field,
        })));

    /// <summary>422 Invalid listing every cause, worded as kube-apiserver words a custom resource's schema errors.</summary>
    public static ApiException Invalid(ResourceType type, string name, IReadOnlyList<FieldError> errors)
    {
        var qualified = type.Group.Length == 0 ? type.Kind : $"{type.Kind}.{type.Group}";
        var listed = errors.Select(e => $"{e.Field}: {e.Message}").ToList();
        var message = $"{qualified} \"{name}\" is invalid: {(listed.Count == 1 ? listed[0] : $"[{string.Join(", ", listed)}]")}";
        var details = new JsonObject { ["name"] = name };
        if (type.Group.Length > 0)
        {
            details["group"] = type.Group;
        }

        details["kind"] = type.Kind;
        details["causes"] = new JsonArray([.. errors.Select(e => (JsonNode)new JsonObject
        {
            ["reason"] = e.Reason,
            ["message"] = e.Message,
            ["field"] = e.Field,
        })]);
        return new ApiException(422, "Invalid", message, details);
    }

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiException Gone(string message) => new(410, "Expired", message);

    public JsonObject ToStatus() => StatusObjects.Failure(Code, Reason, Message, Details);

    private static JsonObject Describe(ResourceType type, string name, JsonArray? causes = null)
    {
        var details = new JsonObject { ["name"] = name };
        if (type.Group.Length > 0)
        {
            details["group"] = type.Group;
        }

        details["kind"] = type.Plural;
        if (causes is not null)
        {
            details["causes"] = causes;
        }

        return details;
    }
}
