using System.Globalization;
using System.Text.Json;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.CloudProviders.Simulated;

namespace Karpenter.Orleans.Fault.Tests;

/// <summary>
/// What must hold once the service has recovered, read from the API (what users see) and from the shared
/// simulated cloud (what really runs, and what is billed).
/// </summary>
internal static class Invariants
{
    public const string OneClaimPerInstance = "every instance has exactly one claim";
    public const string NoDoubleBinding = "no claim on two instances, no instance on two claims";
    public const string NoPodLost = "no pod lost";
    public const string CostMatches = "cost = sum of live claims";
    public const string Settled = "no half state (no claim left pending, disrupting or terminating)";
    public const string AllBound = "provisioning completes (every pod bound)";

    public static IReadOnlyList<string> Names { get; } = [OneClaimPerInstance, NoDoubleBinding, NoPodLost, CostMatches, Settled, AllBound];

    /// <summary>Checks every invariant once; each maps to null (holds) or what is wrong.</summary>
    public static async Task<Dictionary<string, string?>> CheckAsync(KarpoApi api, SimulatedCloudProvider cloud, IReadOnlyList<TestAgent> agents)
    {
        var claims = await api.GetListAsync("/api/v1/nodeclaims");
        var live = claims.Where(c => c.GetProperty("phase").GetString() != "terminated").ToList();
        var instances = new List<CloudInstance>();
        foreach (var agent in agents)
        {
            instances.AddRange((await cloud.ListAsync(agent.Region, agent.ClusterId)).Where(i => i.State is CloudInstanceState.Pending or CloudInstanceState.Running));
        }

        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        string Key(JsonElement c) => $"{c.GetProperty("clusterId").GetString()}/{c.GetProperty("name").GetString()}";
        string? Instance(JsonElement c) => c.GetProperty("instanceId").GetString();

        // Every running instance belongs to exactly one live claim, and every live claim's instance runs.
        var problems = new List<string>();
        foreach (var instance in instances)
        {
            var holders = live.Where(c => Instance(c) == instance.Id).Select(Key).ToList();
            if (holders.Count != 1)
            {
                problems.Add($"{instance.Id} ({instance.ClusterId}/{instance.NodeClaim}) has {holders.Count} live claims [{string.Join(", ", holders)}]");
            }
        }

        foreach (var claim in live.Where(c => Instance(c) is not null && c.GetProperty("phase").GetString() is not ("disrupting" or "draining" or "terminating")))
        {
            if (!instances.Any(i => i.Id == Instance(claim)))
            {
                problems.Add($"{Key(claim)} holds {Instance(claim)}, which does not run");
            }
        }

        result[OneClaimPerInstance] = Join(problems);

        // Ids are unique among claims (live or ended), a claim's instance was launched for that claim, and no
        // claim has two running instances (a duplicate launch).
        problems = [];
        foreach (var group in claims.Where(c => Instance(c) is not null).GroupBy(c => Instance(c)!).Where(g => g.Count() > 1))
        {
            problems.Add($"{group.Key} is held by {string.Join(", ", group.Select(Key))}");
        }

        foreach (var claim in live.Where(c => Instance(c) is not null))
        {
            if (instances.FirstOrDefault(i => i.Id == Instance(claim)) is { } instance && $"{instance.ClusterId}/{instance.NodeClaim}" != Key(claim))
            {
                problems.Add($"{Key(claim)} holds {instance.Id}, launched for {instance.ClusterId}/{instance.NodeClaim}");
            }
        }

        foreach (var group in instances.GroupBy(i => $"{i.ClusterId}/{i.NodeClaim}").Where(g => g.Count() > 1))
        {
            problems.Add($"{group.Key} has {group.Count()} running instances ({string.Join(", ", group.Select(i => i.Id))})");
        }

        result[NoDoubleBinding] = Join(problems);

        // Every pod the agents sent is known: bound pods count in the cluster, pending ones wait with a
        // reason and a live claim to go to (all of these pods can be placed).
        problems = [];
        foreach (var agent in agents)
        {
            var status = await api.GetAsync($"/api/v1/clusters/{agent.ClusterId}");
            var pods = status.GetProperty("pods").GetInt32();
            var expected = agent.Pods.Count();
            if (pods != expected)
            {
                problems.Add($"{agent.ClusterId}: the service has {pods} pods, the agent {expected}");
            }

            var pending = (await api.GetListAsync($"/api/v1/clusters/{agent.ClusterId}/pending"))
                .ToDictionary(p => $"{p.GetProperty("namespace").GetString()}/{p.GetProperty("name").GetString()}", StringComparer.Ordinal);
            foreach (var pod in agent.PendingPods)
            {
                if (!pending.TryGetValue(pod, out var p))
                {
                    problems.Add($"{agent.ClusterId}: pending pod {pod} is unknown");
                }
                else if (p.GetProperty("nodeClaim").GetString() is not { } nominated || !live.Any(c => Key(c) == $"{agent.ClusterId}/{nominated}"))
                {
                    problems.Add($"{agent.ClusterId}: pending pod {pod} waits without a live claim ({p.GetProperty("reason").GetString()})");
                }
            }
        }

        result[NoPodLost] = Join(problems);

        // The cost roll-up equals what the live claims cost, per cluster and in all; so does the spend ledger.
        problems = [];
        var cost = await api.GetAsync("/api/v1/cost");
        var total = 0.0;
        foreach (var agent in agents)
        {
            var sum = live.Where(c => c.GetProperty("clusterId").GetString() == agent.ClusterId).Sum(c => c.GetProperty("pricePerHour").GetDouble());
            total += sum;
            var row = cost.GetProperty("clusters").EnumerateArray().FirstOrDefault(r => r.GetProperty("clusterId").GetString() == agent.ClusterId);
            var reported = row.ValueKind == JsonValueKind.Object ? row.GetProperty("pricePerHour").GetDouble() : 0;
            if (Math.Abs(reported - sum) > 1e-6)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"{agent.ClusterId}: cost says ${reported:0.######}/h, live claims ${sum:0.######}/h"));
            }
        }

        foreach (var field in new[] { "pricePerHour", "committedPerHour" })
        {
            var value = cost.GetProperty(field).GetDouble();
            if (Math.Abs(value - total) > 1e-6)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"{field} ${value:0.######}/h, live claims ${total:0.######}/h"));
            }
        }

        result[CostMatches] = Join(problems);

        // Every pod here can be placed (one node each), so recovery is complete only when each one runs, and
        // with one pod per node a duplicate launch shows as a live claim without a pod.
        problems = [.. agents.Where(a => a.PendingPods.Any()).Select(a => $"{a.ClusterId}: {a.PendingPods.Count()} pods not bound yet")];
        var podCount = agents.Sum(a => a.Pods.Count());
        if (problems.Count == 0 && live.Count != podCount)
        {
            // Name the claims no pod runs on, with when they were made: what a duplicate launch looks like.
            var used = agents.SelectMany(a => a.NodesByClaim.Where(n => a.HasPodsOn(n.Value)).Select(n => $"{a.ClusterId}/{n.Key}")).ToHashSet(StringComparer.Ordinal);
            var idle = live.Where(c => !used.Contains(Key(c))).Select(c => $"{Key(c)} ({c.GetProperty("phase").GetString()}, created {c.GetProperty("createdAt").GetString()})");
            problems.Add($"{live.Count} live claims for {podCount} pods, one node each; without a pod: {string.Join(", ", idle)}");
        }

        result[AllBound] = Join(problems);
        result[Settled] = Join(live.Where(c => c.GetProperty("phase").GetString() is "pending" or "disrupting" or "terminating")
            .Select(c => $"{Key(c)} is {c.GetProperty("phase").GetString()}").ToList());
        return result;
    }

    /// <summary>Keeps the agents talking (the service only recovers a cluster it is called about) and checks until every invariant holds or the deadline passes.</summary>
    public static async Task<Dictionary<string, string?>> AwaitAsync(KarpoApi api, SimulatedCloudProvider cloud, IReadOnlyList<TestAgent> agents,
        TimeSpan timeout, Func<Task>? eachRound = null, Uri? agentSilo = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        Dictionary<string, string?> last = Names.ToDictionary(n => n, _ => (string?)"never checked", StringComparer.Ordinal);
        while (true)
        {
            try
            {
                // The cluster plays its part first (nodes join, pods bind), then the agent reports it.
                if (eachRound is not null)
                {
                    await eachRound();
                }

                foreach (var agent in agents)
                {
                    await agent.SyncAsync(agentSilo ?? api.Address);
                }

                last = await CheckAsync(api, cloud, agents);
                if (last.Values.All(v => v is null))
                {
                    return last;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or CloudProviderException)
            {
                last = Names.ToDictionary(n => n, _ => (string?)$"service not answering: {ex.Message}", StringComparer.Ordinal);
            }

            if (DateTime.UtcNow >= deadline)
            {
                return last;
            }

            await Task.Delay(500);
        }
    }

    private static string? Join(List<string> problems) => problems.Count == 0 ? null : string.Join("; ", problems.Take(5)) + (problems.Count > 5 ? $" (+{problems.Count - 5} more)" : "");
}
