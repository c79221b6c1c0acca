using System.Collections.Concurrent;
using Karpenter.Orleans.Silo.Console;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.Silo.Api;

/// <summary>
/// A fleet-wide API read that does not wait on the slowest cluster: every cluster is asked, and one that has not
/// answered within <see cref="ConsoleOptions.ClusterTimeout"/> is served from the silo's <see cref="FleetSnapshot"/>
/// and named in the <see cref="StaleHeader"/> header. A cluster the snapshot has not read is waited for, so a
/// just-registered cluster or a silo without the console answers as before.
/// </summary>
internal static class FleetFanOut
{
    /// <summary>The clusters whose part of the answer came from the snapshot, comma-separated, each with the age of its answer in seconds.</summary>
    public const string StaleHeader = "Karpo-Stale-Clusters";

    public static async Task<T[]> AskAsync<T>(HttpContext context, IEnumerable<string> clusterIds, Func<string, Task<T>> ask, Func<ClusterAnswer, T> fromSnapshot)
    {
        var snapshot = context.RequestServices.GetRequiredService<FleetSnapshot>();
        var timeout = context.RequestServices.GetRequiredService<IOptions<ConsoleOptions>>().Value.ClusterTimeout;
        var time = context.RequestServices.GetRequiredService<TimeProvider>();
        var stale = new ConcurrentBag<(string Cluster, DateTimeOffset AsOf)>();
        var answers = await Task.WhenAll(clusterIds.Select(async id =>
        {
            var call = ask(id);
            if (snapshot.Of(id) is not { Answer: not null })
            {
                return await call;
            }

            try
            {
                return await call.WaitAsync(timeout, time, context.RequestAborted);
            }
            catch (TimeoutException) when (!call.IsCompleted && snapshot.Of(id) is { Answer: { } answer, AsOf: { } asOf })
            {
                // The late answer is dropped; observing its failure keeps it out of the unobserved-task log.
                _ = call.ContinueWith(static t => t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
                stale.Add((id, asOf));
                return fromSnapshot(answer);
            }
        }));

        if (!stale.IsEmpty)
        {
            var now = time.GetUtcNow();
            context.Response.Headers[StaleHeader] = string.Join(',', stale.OrderBy(s => s.Cluster, StringComparer.Ordinal)
                .Select(s => $"{s.Cluster};age={Math.Max(0, (int)(now - s.AsOf).TotalSeconds)}"));
        }

        return answers;
    }
}
