using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Karpenter.Orleans.Fault.Tests;

/// <summary>The HTTP API as an operator or an agent calls it (docs/api.md). List reads accept a plain array or a page with items and a continue token.</summary>
internal sealed class KarpoApi : IDisposable
{
    private readonly HttpClient _client;

    public KarpoApi(Uri address, string token)
    {
        _client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        _client.DefaultRequestHeaders.Authorization = new("Bearer", token);
    }

    public Uri Address => _client.BaseAddress!;

    public void Dispose() => _client.Dispose();

    /// <summary>Registers a cluster in the simulated cloud and returns its agent token.</summary>
    public async Task<string> RegisterClusterAsync(string clusterId, string region, string account = "111111111111")
    {
        var response = await _client.PostAsJsonAsync(new Uri("/api/v1/clusters", UriKind.Relative),
            new { clusterId, provider = "simulated", region, account });
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"registering {clusterId}: {(int)response.StatusCode} {body}");
        }

        return JsonNode.Parse(body)!["agentToken"]!.GetValue<string>();
    }

    public async Task<JsonElement> GetAsync(string path)
    {
        using var response = await _client.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException($"GET {path}: {(int)response.StatusCode} {body}", null, response.StatusCode);
        }

        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Every item of a list route, following continue tokens when the route pages.</summary>
    public async Task<List<JsonElement>> GetListAsync(string path)
    {
        var items = new List<JsonElement>();
        var next = path;
        for (var page = 0; page < 10_000; page++)
        {
            var root = await GetAsync(next);
            if (root.ValueKind == JsonValueKind.Array)
            {
                items.AddRange(root.EnumerateArray());
                return items;
            }

            items.AddRange(root.GetProperty("items").EnumerateArray());
            var token = root.TryGetProperty("continue", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            if (string.IsNullOrEmpty(token))
            {
                return items;
            }

            next = path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "continue=" + Uri.EscapeDataString(token);
        }

        throw new InvalidOperationException($"GET {path}: more than 10,000 pages");
    }

    /// <summary>PUT or POST a JSON body; the answer's body, or an exception for a non-2xx answer or no answer at all.</summary>
    public async Task<JsonElement> SendAsync(HttpMethod method, string path, object body)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = JsonContent.Create(body) };
        using var response = await _client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{method} {path}: {(int)response.StatusCode} {text}", null, response.StatusCode);
        }

        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }
}
