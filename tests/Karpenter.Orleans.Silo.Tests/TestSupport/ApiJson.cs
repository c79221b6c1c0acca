using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Silo.Tests.TestSupport;

/// <summary>The API's JSON conventions (web defaults, camelCase enum strings) and small request helpers.</summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static StringContent Raw(string json) => new(json, Encoding.UTF8, "application/json");

    public static Task<HttpResponseMessage> PostJsonAsync<T>(this HttpClient client, string url, T body) =>
        client.PostAsJsonAsync(url, body, Options);

    public static Task<HttpResponseMessage> PutJsonAsync<T>(this HttpClient client, string url, T body) =>
        client.PutAsJsonAsync(url, body, Options);

    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<T>(Options) ?? throw new InvalidOperationException("empty body");

    public static Task<ApiError> ReadErrorAsync(this HttpResponseMessage response) => response.ReadAsync<ApiError>();

    /// <summary>Registers a cluster as admin and returns its agent token.</summary>
    public static async Task<string> RegisterAsync(this HttpClient admin, string clusterId, string region = "us-east-1")
    {
        using var response = await admin.PostJsonAsync("/api/v1/clusters", new ClusterRegistration(clusterId, "simulated", region, "111122223333"));
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"registering {clusterId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        return (await response.ReadAsync<ClusterRegistrationResponse>()).AgentToken;
    }

    /// <summary>A pending pod as the Kubernetes API serves it.</summary>
    public static ClusterObject PendingPod(string name, string cpu = "250m", string memory = "256Mi") => new(
        ObjectKind.Pod,
        JsonSerializer.Serialize(new
        {
            apiVersion = "v1",
            kind = "Pod",
            metadata = new { name, @namespace = "default", uid = $"uid-{name}", creationTimestamp = "2025-01-01T00:00:00Z" },
            spec = new { containers = new[] { new { name = "app", image = "nginx", resources = new { requests = new { cpu, memory } } } } },
            status = new { phase = "Pending" },
        }));

    public static ClusterSnapshot Snapshot(params ClusterObject[] objects) => new("session-1", objects.Length, objects);
}
