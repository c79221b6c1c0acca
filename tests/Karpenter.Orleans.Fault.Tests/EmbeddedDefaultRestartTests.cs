using System.Text.Json;
using Xunit.Abstractions;
using static Karpenter.Orleans.Fault.Tests.FaultSuite;

namespace Karpenter.Orleans.Fault.Tests;

/// <summary>
/// The embedded default as a newcomer runs it (<c>dotnet run --project src/Karpenter.Orleans.Silo</c>: SQLite
/// and the simulated cloud's state under .karpo/ of the working folder, the simulated fleet, generated tokens):
/// start, let it launch, kill -9, start again in the same folder.
/// </summary>
public sealed class EmbeddedDefaultRestartTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _dir = TempFolder("embedded");
    private readonly InvariantReport _report = new("embedded-default");
    private SiloProcess? _silo;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }

        _report.Write(output);
        output.WriteLine($"silo folder: {_dir}");
    }

    [Fact]
    public async Task Killed_and_started_again_it_has_the_same_clusters_claims_and_instances_and_provisions_on()
    {
        // Nothing but ports (parallel runs) and where the karpo client config goes (never the user's) differs from `dotnet run`.
        _silo = SiloProcess.Start("silo-1", _dir, new Dictionary<string, string>());
        var token = await AdminTokenAsync();
        await _silo.WaitUntilServingAsync(token, StartTimeout);
        var before = await WaitForAsync(token, claims => claims.Count(c => c.GetProperty("instanceId").GetString() is not null) >= 3, "three launched claims");
        using (var admin = new KarpoApi(_silo.Address, token))
        {
            // The view just before the kill: the claims the service knows, with their instances.
            before = await admin.GetListAsync("/api/v1/nodeclaims");
        }

        var clustersBefore = await ClusterIdsAsync(token);
        await _silo.KillAsync();
        var killedAt = DateTimeOffset.UtcNow;
        await _silo.DisposeAsync();

        _silo = SiloProcess.Start("silo-2", _dir, new Dictionary<string, string>());
        await _silo.WaitUntilServingAsync(token, StartTimeout);
        var launchedBefore = before.Where(c => c.GetProperty("instanceId").GetString() is not null)
            .ToDictionary(c => $"{c.GetProperty("clusterId").GetString()}/{c.GetProperty("name").GetString()}", c => c.GetProperty("instanceId").GetString()!, StringComparer.Ordinal);

        // The index catches up with its claims at the first reconcile: check until everything holds, or the deadline.
        var cloud = Cloud(Path.Combine(_dir, ".karpo", "simulated-cloud.json"));
        var deadline = DateTime.UtcNow + RecoveryTimeout;
        Dictionary<string, string?> results;
        while (true)
        {
            List<JsonElement> after;
            using (var admin = new KarpoApi(_silo.Address, token))
            {
                after = await admin.GetListAsync("/api/v1/nodeclaims");
            }

            var afterByKey = after.ToDictionary(c => $"{c.GetProperty("clusterId").GetString()}/{c.GetProperty("name").GetString()}", StringComparer.Ordinal);
            results = new Dictionary<string, string?>(StringComparer.Ordinal)
            {
                ["same clusters"] = (await ClusterIdsAsync(token)).SequenceEqual(clustersBefore) ? null : "the clusters changed",
                ["same claims and instance ids"] = Problems(launchedBefore
                    .Where(p => !afterByKey.TryGetValue(p.Key, out var c) || c.GetProperty("instanceId").GetString() != p.Value)
                    .Select(p => $"{p.Key} held {p.Value} before, {(afterByKey.TryGetValue(p.Key, out var c) ? c.GetProperty("instanceId").GetString() ?? "none" : "is gone")} after")),
                ["no instance id held twice"] = Problems(after.Where(c => c.GetProperty("instanceId").GetString() is not null)
                    .GroupBy(c => c.GetProperty("instanceId").GetString()).Where(g => g.Count() > 1)
                    .Select(g => $"{g.Key} held by {string.Join(", ", g.Select(c => c.GetProperty("name").GetString()))}")),
                ["every live claim's instance is in the cloud"] = Problems(await LiveClaimsWithoutInstanceAsync(after, cloud)),
                ["provisioning resumes"] = after.Any(c => c.GetProperty("createdAt").GetDateTimeOffset() > killedAt && c.GetProperty("instanceId").GetString() is not null)
                    ? null : "no claim launched since the restart",
                [CleanLog] = LogProblems(_silo.Log),
            };
            if (results.Values.All(v => v is null) || DateTime.UtcNow >= deadline)
            {
                break;
            }

            await Task.Delay(500);
        }

        _report.Add("embedded default (dotnet run)", "kill -9 while provisioning", killed: true, results, TimeSpan.Zero);
        Assert.True(_report.AllPassed, _report.Render());
    }

    private async Task<string> AdminTokenAsync()
    {
        var path = Path.Combine(_dir, ".karpo", "tokens.json");
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_silo!.HasExited)
            {
                throw new InvalidOperationException("the silo exited:\n" + _silo.Tail());
            }

            try
            {
                if (File.Exists(path))
                {
                    return JsonDocument.Parse(await File.ReadAllTextAsync(path)).RootElement.GetProperty("adminToken").GetString()!;
                }
            }
            catch (Exception ex) when (ex is IOException or JsonException)
            {
                // Being written.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"no {path}:\n{_silo!.Tail()}");
    }

    private async Task<List<string>> ClusterIdsAsync(string token)
    {
        using var admin = new KarpoApi(_silo!.Address, token);
        return [.. (await admin.GetListAsync("/api/v1/clusters")).Select(c => c.GetProperty("clusterId").GetString()!).Order(StringComparer.Ordinal)];
    }

    private async Task<List<JsonElement>> WaitForAsync(string token, Func<List<JsonElement>, bool> done, string what)
    {
        using var admin = new KarpoApi(_silo!.Address, token);
        var deadline = DateTime.UtcNow + RecoveryTimeout;
        while (true)
        {
            var claims = await admin.GetListAsync("/api/v1/nodeclaims");
            if (done(claims))
            {
                return claims;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no {what} within {RecoveryTimeout}:\n{_silo.Tail()}");
            await Task.Delay(500);
        }
    }

    private static async Task<List<string>> LiveClaimsWithoutInstanceAsync(List<JsonElement> claims, Karpenter.Orleans.CloudProviders.Simulated.SimulatedCloudProvider cloud)
    {
        var problems = new List<string>();
        foreach (var claim in claims.Where(c => c.GetProperty("phase").GetString() is "launched" or "registered" or "initialized" or "drifted"))
        {
            var region = claim.GetProperty("zone").GetString()![..^1];
            var instance = await cloud.GetAsync(region, claim.GetProperty("instanceId").GetString()!);
            if (instance is null || instance.NodeClaim != claim.GetProperty("name").GetString() || instance.ClusterId != claim.GetProperty("clusterId").GetString())
            {
                problems.Add($"{claim.GetProperty("clusterId").GetString()}/{claim.GetProperty("name").GetString()} holds {claim.GetProperty("instanceId").GetString()}, which the cloud {(instance is null ? "does not know" : $"launched for {instance.ClusterId}/{instance.NodeClaim}")}");
            }
        }

        return problems;
    }

    private static string? Problems(IEnumerable<string> problems)
    {
        var list = problems.ToList();
        return list.Count == 0 ? null : string.Join("; ", list.Take(5));
    }
}
