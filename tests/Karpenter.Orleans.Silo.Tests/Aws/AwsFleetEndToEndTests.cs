using System.Collections.Concurrent;
using Amazon.EC2;
using Amazon.EC2.Model;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.CloudProviders.Aws;
using Karpenter.Orleans.CloudProviders.Aws.Tests;
using Karpenter.Orleans.Simulation;
using Microsoft.Extensions.DependencyInjection;

namespace Karpenter.Orleans.Silo.Tests.Aws;

/// <summary>
/// The silo's embedded default fleet with <c>Karpo:SimulatedFleet:Provider=aws</c> against moto: pending
/// pods become CreateFleet launches, the instances carry the cluster's tags, the simulated clusters' nodes
/// join for them and pods bind; scaling in terminates them, and EC2's instances and the NodeClaims agree.
/// Real time: the fleet ticks every second and the default NodePools consolidate after 30 s.
/// </summary>
[Collection(AwsSiloCollection.Name)]
public sealed class AwsFleetEndToEndTests(MotoServer moto) : IAsyncLifetime
{
    private static readonly string[] Regions = ["us-east-1", "us-west-2"];
    private readonly ConcurrentQueue<string> _calls = new();

    public Task InitializeAsync() => moto.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_default_fleet_on_aws_launches_through_CreateFleet_binds_pods_and_terminates_what_it_no_longer_needs()
    {
        await using var silo = new AwsSiloFactory(new Dictionary<string, string?>
        {
            ["Karpo:SimulatedFleet:Enabled"] = "true",
            ["Karpo:SimulatedFleet:Provider"] = AwsCloudProvider.ProviderName,
            // A small, steady workload: the curve barely moves within the test.
            ["Karpo:SimulatedFleet:Scale"] = "0.1",
            ["Karpo:SimulatedFleet:WorkloadPeriod"] = "06:00:00",
            ["Karpo:Aws:ServiceUrl"] = moto.Endpoint,
            ["Karpo:Aws:Regions:0"] = Regions[0],
            ["Karpo:Aws:Regions:1"] = Regions[1],
        }, () => new RecordingHandler(_calls));
        using var _ = silo.CreateClient();
        var fleet = silo.Services.GetRequiredService<SimulatedFleet>();
        var grains = silo.Services.GetRequiredService<IGrainFactory>();
        Assert.Equal(["prod-use1", "prod-usw2", "staging-use1"], fleet.Configured.Select(c => c.ClusterId));
        Assert.All(fleet.Configured, c => Assert.Equal("aws", c.Provider));

        await UntilAsync(() => Task.FromResult(fleet.Clusters.Count == 3 && fleet.Clusters.All(c => c.Nodes > 0 && c.PendingPods == 0 && c.BoundPods > 0)),
            "every default cluster has nodes and all its pods bound");

        Assert.Contains(_calls, c => c == "CreateFleet");
        foreach (var cluster in fleet.Clusters)
        {
            var claims = await LiveClaimsAsync(grains, cluster.ClusterId);
            var instances = await RunningInstancesAsync(cluster.Region, cluster.ClusterId);
            Assert.Equal(claims.Select(c => c.InstanceId).Order(StringComparer.Ordinal), instances.Select(i => i.InstanceId).Order(StringComparer.Ordinal));
            Assert.All(instances, i =>
            {
                var tags = i.Tags.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
                var claim = claims.Single(c => c.InstanceId == i.InstanceId);
                Assert.Equal(cluster.ClusterId, tags[AwsTags.EksClusterName]);
                Assert.Equal("owned", tags[AwsTags.ClusterOwnership(cluster.ClusterId)]);
                Assert.Equal(claim.Name, tags[AwsTags.NodeClaim]);
                Assert.Equal(claim.NodePool, tags[AwsTags.NodePool]);
            });
        }

        // Scale in: with no workload left every node is empty, consolidation deletes it, and its instance goes.
        foreach (var cluster in fleet.Clusters)
        {
            foreach (var workload in cluster.Workloads)
            {
                cluster.SetReplicas(workload.Name, 0);
            }
        }

        await UntilAsync(async () =>
        {
            foreach (var cluster in fleet.Clusters)
            {
                if (cluster.Nodes > 0 || (await LiveClaimsAsync(grains, cluster.ClusterId)).Count > 0 || (await RunningInstancesAsync(cluster.Region, cluster.ClusterId)).Count > 0)
                {
                    return false;
                }
            }

            return true;
        }, "every node, NodeClaim and instance is gone", timeoutSeconds: 240);
        Assert.Contains(_calls, c => c == "TerminateInstances");
    }

    private static async Task<List<NodeClaimInfo>> LiveClaimsAsync(IGrainFactory grains, string clusterId) =>
        [.. (await grains.GetGrain<IClusterGrain>(clusterId).GetNodeClaimsAsync()).Where(c => c.Phase != NodeClaimPhase.Terminated)];

    /// <summary>What EC2 (moto) runs for the cluster, asked directly rather than through the provider under test.</summary>
    private async Task<List<Instance>> RunningInstancesAsync(string region, string clusterId)
    {
        using var ec2 = new AmazonEC2Client(MotoServer.Credentials, new AmazonEC2Config { ServiceURL = moto.Endpoint, AuthenticationRegion = region });
        var response = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest
        {
            Filters =
            [
                new Filter($"tag:{AwsTags.EksClusterName}", [clusterId]),
                new Filter("instance-state-name", ["pending", "running"]),
            ],
        });
        return [.. (response.Reservations ?? []).SelectMany(r => r.Instances ?? [])];
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, string what, int timeoutSeconds = 120)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out after {timeoutSeconds}s waiting until {what}");
            }

            await Task.Delay(250);
        }
    }

    /// <summary>Records the EC2 action of each call (the Query API's <c>Action=</c>).</summary>
    private sealed class RecordingHandler(ConcurrentQueue<string> calls) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            var action = body.Split('&').FirstOrDefault(p => p.StartsWith("Action=", StringComparison.Ordinal));
            if (action is not null)
            {
                calls.Enqueue(action["Action=".Length..]);
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
