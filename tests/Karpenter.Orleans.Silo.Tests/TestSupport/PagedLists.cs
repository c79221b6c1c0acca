using System.Net;
using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Silo.Tests.TestSupport;

/// <summary>Helpers for the paged list routes: walk every page, and a cluster full of pods that stay pending.</summary>
public static class PagedLists
{
    public const string ContinueHeader = "Karpo-Continue";

    /// <summary>Follows the continue header from the first page (or from <paramref name="token"/>) to the last; returns every page.</summary>
    public static async Task<List<T[]>> WalkAsync<T>(this HttpClient client, string url, string? token = null)
    {
        var pages = new List<T[]>();
        do
        {
            var separator = url.Contains('?', StringComparison.Ordinal) ? '&' : '?';
            using var response = await client.GetAsync(token is null ? url : $"{url}{separator}continue={Uri.EscapeDataString(token)}");
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"GET {url} page {pages.Count + 1}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }

            pages.Add(await response.ReadAsync<T[]>());
            token = response.Headers.TryGetValues(ContinueHeader, out var values) ? values.Single() : null;
            if (pages.Count > 10_000)
            {
                throw new InvalidOperationException($"GET {url} never reached its last page");
            }
        }
        while (token is not null);

        return pages;
    }

    /// <summary>
    /// Registers <paramref name="clusterId"/> with a spend cap of 0 (so nothing launches and its pods stay
    /// pending) and sends a snapshot of <paramref name="pods"/> pending pods named p-0000...
    /// </summary>
    public static async Task<string[]> RegisterWithPendingPodsAsync(this HttpClient admin, string clusterId, int pods)
    {
        using (var registered = await admin.PostJsonAsync("/api/v1/clusters", new ClusterRegistration(clusterId, "simulated", "us-east-1", "111122223333", SpendCapPerHour: 0)))
        {
            if (registered.StatusCode != HttpStatusCode.Created)
            {
                throw new InvalidOperationException($"registering {clusterId}: {(int)registered.StatusCode} {await registered.Content.ReadAsStringAsync()}");
            }
        }

        var names = Enumerable.Range(0, pods).Select(i => $"p-{i:D4}").ToArray();
        using var snapshot = await admin.PutJsonAsync($"/api/v1/clusters/{clusterId}/state", ApiJson.Snapshot([.. names.Select(n => ApiJson.PendingPod(n))]));
        if (snapshot.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"snapshot of {clusterId}: {(int)snapshot.StatusCode} {await snapshot.Content.ReadAsStringAsync()}");
        }

        return names;
    }
}
