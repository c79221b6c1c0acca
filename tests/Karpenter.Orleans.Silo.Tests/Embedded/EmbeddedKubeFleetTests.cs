using System.Diagnostics;
using System.Globalization;
using k8s;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.Silo.Tests.TestSupport;
using Karpenter.Orleans.Simulation;
using Microsoft.Extensions.DependencyInjection;

namespace Karpenter.Orleans.Silo.Tests.Embedded;

/// <summary>
/// The embedded default on the real path (<c>Karpo:SimulatedFleet:Mode=Kubernetes</c>): the silo on Kestrel runs a
/// cluster in an in-process API server, and the real agent streams it to the silo's own HTTP API.
/// </summary>
public sealed class EmbeddedKubeFleetTests
{
    private const string ClusterId = "kube-use1";

    [Fact]
    public async Task The_embedded_fleet_in_Kubernetes_mode_provisions_through_the_agent_and_its_nodes_and_NodeClaims_show_in_the_API_server()
    {
        await using var silo = Silo(FreePorts.Next());
        silo.StartServer();
        var fleet = silo.Services.GetRequiredService<SimulatedKubeFleet>();
        var grain = silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IClusterGrain>(ClusterId);

        await EventuallyAsync("initialized NodeClaims whose Nodes and NodeClaim objects are in the API server, every pod bound", async () =>
        {
            if (fleet.ApiServer(ClusterId) is not { } server || fleet.Find(ClusterId) is not { } cluster)
            {
                return false;
            }

            using var kube = server.CreateClient();
            var live = (await grain.GetNodeClaimsAsync()).Where(c => c.IsLive).ToList();
            var nodes = (await kube.CoreV1.ListNodeAsync()).Items.Select(n => n.Metadata.Name).ToHashSet(StringComparer.Ordinal);
            var objects = await NodeClaimObjectNamesAsync(kube);
            return live.Count > 0 && live.All(c => c.Phase == NodeClaimPhase.Initialized && c.NodeName is { } n && nodes.Contains(n))
                && objects.SetEquals(live.Select(c => c.Name)) && cluster.PendingPods == 0 && cluster.BoundPods > 0;
        });

        // The service heard of it from the agent, over HTTP: the cluster's agent is connected.
        Assert.True((await grain.GetStatusAsync()).AgentConnected);
        Assert.True(fleet.AgentRunning(ClusterId));
        Assert.Null(silo.Services.GetService<SimulatedFleet>());
    }

    [Fact]
    public async Task After_a_restart_on_the_same_state_the_instances_keep_their_claims_their_Nodes_are_registered_again_and_none_is_launched_twice()
    {
        var directory = Path.Combine(Path.GetTempPath(), "karpo-silo-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(directory);
        try
        {
            Dictionary<string, string> before;
            await using (var first = Silo(FreePorts.Next(), directory))
            {
                first.StartServer();
                var grain = first.Services.GetRequiredService<IGrainFactory>().GetGrain<IClusterGrain>(ClusterId);
                var fleet = first.Services.GetRequiredService<SimulatedKubeFleet>();
                await EventuallyAsync("initialized NodeClaims and every pod bound", async () =>
                    fleet.Find(ClusterId) is { PendingPods: 0, BoundPods: > 0 }
                    && (await grain.GetNodeClaimsAsync()).Where(c => c.IsLive).ToList() is { Count: > 0 } live
                    && live.All(c => c.Phase == NodeClaimPhase.Initialized));
                before = (await grain.GetNodeClaimsAsync()).Where(c => c.IsLive).ToDictionary(c => c.Name, c => c.InstanceId!, StringComparer.Ordinal);
            }

            await using var second = Silo(FreePorts.Next(), directory);
            second.StartServer();
            var cluster = second.Services.GetRequiredService<IGrainFactory>().GetGrain<IClusterGrain>(ClusterId);
            var again = second.Services.GetRequiredService<SimulatedKubeFleet>();
            var cloud = second.Services.GetRequiredService<ICloudProviders>().Get(SimulatedFleetOptions.DefaultProvider);
            // The new API server starts empty: its kubelet registers a Node for each instance the service still runs.
            await EventuallyAsync("a Node in the new API server for every live claim's instance, every pod bound", async () =>
            {
                if (again.ApiServer(ClusterId) is not { } server || again.Find(ClusterId) is not { PendingPods: 0, BoundPods: > 0 })
                {
                    return false;
                }

                using var kube = server.CreateClient();
                var instances = (await kube.CoreV1.ListNodeAsync()).Items
                    .Select(n => n.Metadata.Annotations is { } a && a.TryGetValue(SimulatedKubeCluster.InstanceAnnotation, out var id) ? id : "").ToHashSet(StringComparer.Ordinal);
                var live = (await cluster.GetNodeClaimsAsync()).Where(c => c.IsLive).ToList();
                return live.Count > 0 && live.All(c => c.Phase == NodeClaimPhase.Initialized && c.InstanceId is { } id && instances.Contains(id));
            });

            var claims = await cluster.GetNodeClaimsAsync();
            foreach (var (name, instance) in before)
            {
                // A claim of the first run is either still live on its own instance or was disrupted since: never relaunched.
                var claim = Assert.Single(claims, c => c.Name == name);
                Assert.True(!claim.IsLive || claim.InstanceId == instance, $"{name} moved from {instance} to {claim.InstanceId}");
            }

            var withInstances = claims.Where(c => c.InstanceId is not null).Select(c => c.InstanceId!).ToList();
            Assert.Equal(withInstances.Count, withInstances.Distinct(StringComparer.Ordinal).Count());
            // Nothing runs in the cloud for the cluster that no live claim owns.
            var running = (await cloud.ListAsync("us-east-1", ClusterId)).Where(i => i.State is CloudInstanceState.Running).Select(i => i.Id);
            var owned = claims.Where(c => c.IsLive && c.InstanceId is not null).Select(c => c.InstanceId!).ToHashSet(StringComparer.Ordinal);
            Assert.Subset(owned, running.ToHashSet(StringComparer.Ordinal));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>One small cluster on the real path, SQLite and a simulated cloud in <paramref name="directory"/> when given.</summary>
    private static ConfiguredSiloFactory Silo(int port, string? directory = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["urls"] = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
            ["Karpo:SimulatedFleet:Enabled"] = "true",
            ["Karpo:SimulatedFleet:Mode"] = "Kubernetes",
            ["Karpo:SimulatedFleet:Clusters:0:ClusterId"] = ClusterId,
            ["Karpo:SimulatedFleet:Clusters:0:Region"] = "us-east-1",
            ["Karpo:SimulatedFleet:Scale"] = "0.3",
            ["Karpo:SimulatedFleet:WorkloadPeriod"] = "06:00:00",
            ["Karpo:SimulatedCloud:BootDelay"] = "00:00:01",
            ["Karpo:SimulatedCloud:ShutdownDelay"] = "00:00:01",
            ["Karpo:SimulatedCloud:AutomaticInterruptions"] = "false",
            ["Karpo:SimulatedCloud:AutomaticRebalanceRecommendations"] = "false",
            ["Karpo:SimulatedCloud:ScheduledChangesPerInstanceDay"] = "0",
            ["Karpo:Provisioning:BatchIdleDuration"] = "00:00:00.200",
            ["Karpo:Provisioning:BatchMaxDuration"] = "00:00:02",
            ["Karpo:Dashboard:Enabled"] = "false",
        };
        if (directory is not null)
        {
            settings["Karpo:Storage:Provider"] = "Sqlite";
            settings["Karpo:Storage:SqlitePath"] = Path.Combine(directory, "karpo.db");
        }

        var silo = new ConfiguredSiloFactory(settings, directory);
        silo.UseKestrel();
        return silo;
    }

    private static async Task<HashSet<string>> NodeClaimObjectNamesAsync(IKubernetes kube)
    {
        var list = (System.Text.Json.JsonElement)await kube.CustomObjects.ListClusterCustomObjectAsync("karpenter.sh", "v1", "nodeclaims");
        return list.GetProperty("items").EnumerateArray().Select(o => o.GetProperty("metadata").GetProperty("name").GetString()!).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Polls <paramref name="condition"/>; the guard only turns a hang into a failure naming <paramref name="what"/>.</summary>
    private static async Task EventuallyAsync(string what, Func<Task<bool>> condition)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or k8s.Autorest.HttpOperationException or OrleansException)
            {
                // The silo or the API server is still starting.
            }

            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(120), $"gave up waiting for {what}");
            await Task.Delay(200);
        }
    }
}
