using System.Text.Json;
using System.Text.Json.Serialization;

namespace Karpenter.Orleans.Agent.Service;

/// <summary>The service API's JSON conventions: camelCase names and enums as camelCase strings, as the silo writes and reads them.</summary>
internal static class AgentJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };
}
