using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.SQS;
using Amazon.SQS.Model;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.CloudProviders.Aws;
using Karpenter.Orleans.CloudProviders.Aws.Tests;
using Karpenter.Orleans.Simulation;
using Microsoft.Extensions.DependencyInjection;

namespace Karpenter.Orleans.Silo.Tests.Aws;

/// <summary>
/// The silo's embedded default fleet with <c>Karpo:SimulatedFleet:Provider=aws</c> against moto: each cluster sends
/// the EC2NodeClass its NodePools name, pending pods become CreateFleet launches with it, the instances carry the cluster's tags, the simulated clusters' nodes
/// join for them and pods bind; a spot interruption warning put on the region's SQS queue reaches its
/// NodeClaim, which is replaced; scaling in terminates the instances, and EC2's and the NodeClaims agree.
/// Real time: the fleet ticks every second and the default NodePools consolidate after 30 s.
/// </summary>
[Collection(AwsSiloCollection.Name)]
public sealed class AwsFleetEndToEndTests(MotoServer moto) : IAsyncLifetime
{
    private static readonly string[] Regions = ["us-east-1", "us-west-2"];
    private const string Queue = "karpo-interruptions";
    private readonly ConcurrentQueue<string> _calls = new();

    public Task InitializeAsync() => moto.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_default_fleet_on_aws_launches_through_CreateFleet_binds_pods_and_terminates_what_it_no_longer_needs()
    {
        // The default clusters' EC2NodeClass selects the subnets and security groups tagged kubernetes.io/cluster/<cluster>,
        // as EKS tags them: every subnet and the default group of each region carry the tag of each of its clusters.
        foreach (var region in Regions)
        {
            using var ec2 = new AmazonEC2Client(MotoServer.Credentials, new AmazonEC2Config { ServiceURL = moto.Endpoint, AuthenticationRegion = region });
            var subnets = (await ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest())).Subnets.Select(s => s.SubnetId);
            var groups = (await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { Filters = [new Filter("group-name", ["default"])] })).SecurityGroups.Select(g => g.GroupId);
            await ec2.CreateTagsAsync(new CreateTagsRequest
            {
                Resources = [.. subnets, .. groups],
                Tags = [.. SimulatedFleetOptions.DefaultClusters(AwsCloudProvider.ProviderName).Where(c => c.Region == region).Select(c => new Tag($"kubernetes.io/cluster/{c.ClusterId}", "shared"))],
            });
        }

        using var sqs = new AmazonSQSClient(MotoServer.Credentials, new AmazonSQSConfig { ServiceURL = moto.Endpoint, AuthenticationRegion = Regions[0] });
        var queueUrl = (await sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = Queue })).QueueUrl;
        await using var silo = new AwsSiloFactory(new Dictionary<string, string?>
        {
            ["Karpo:SimulatedFleet:Enabled"] = "true",
            ["Karpo:SimulatedFleet:Mode"] = "InProcess",
            ["Karpo:SimulatedFleet:Provider"] = AwsCloudProvider.ProviderName,
            // A small, steady workload: the curve barely moves within the test.
            ["Karpo:SimulatedFleet:Scale"] = "0.1",
            ["Karpo:SimulatedFleet:WorkloadPeriod"] = "06:00:00",
            ["Karpo:Aws:ServiceUrl"] = moto.Endpoint,
            ["Karpo:Aws:Regions:0"] = Regions[0],
            ["Karpo:Aws:Regions:1"] = Regions[1],
            ["Karpo:Aws:InterruptionQueues:us-east-1"] = Queue,
            ["Karpo:Aws:InterruptionQueueWaitTime"] = "00:00:01",
            // Scaling in goes one 10% budget per validated batch: at 15 s a batch the scale-in would not fit the test.
            ["Karpo:Provisioning:ConsolidationValidationPeriod"] = "00:00:01",
        }, () => new RecordingHandler(_calls));
        using var _ = silo.CreateClient();
        var fleet = silo.Services.GetRequiredService<SimulatedFleet>();
        var grains = silo.Services.GetRequiredService<IGrainFactory>();
        Assert.Equal(["prod-use1", "prod-usw2", "staging-use1"], fleet.Configured.Select(c => c.ClusterId));
        Assert.All(fleet.Configured, c => Assert.Equal("aws", c.Provider));

        await UntilAsync(() => Task.FromResult(fleet.Clusters.Count == 3 && fleet.Clusters.All(c => c.Nodes > 0 && c.PendingPods == 0 && c.BoundPods > 0)),
            "every default cluster has nodes and all its pods bound");

        Assert.Contains(_calls, c => c == "CreateFleet");
        // Once no launch is in flight, EC2 runs exactly the NodeClaims' instances.
        await UntilAsync(async () =>
        {
            foreach (var cluster in fleet.Clusters)
            {
                var claimed = (await LiveClaimsAsync(grains, cluster.ClusterId)).Select(c => c.InstanceId).Order(StringComparer.Ordinal);
                var running = (await RunningInstancesAsync(cluster.Region, cluster.ClusterId)).Select(i => i.InstanceId).Order(StringComparer.Ordinal);
                if (!claimed.SequenceEqual(running))
                {
                    return false;
                }
            }

            return true;
        }, "EC2's instances of each cluster are its NodeClaims' instances");
        foreach (var cluster in fleet.Clusters)
        {
            var claims = await LiveClaimsAsync(grains, cluster.ClusterId);
            var instances = await RunningInstancesAsync(cluster.Region, cluster.ClusterId);
            Assert.All(instances, i =>
            {
                var tags = i.Tags.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
                var claim = claims.Single(c => c.InstanceId == i.InstanceId);
                Assert.Equal(cluster.ClusterId, tags[AwsTags.EksClusterName]);
                Assert.Equal("owned", tags[AwsTags.ClusterOwnership(cluster.ClusterId)]);
                Assert.Equal(claim.Name, tags[AwsTags.NodeClaim]);
                Assert.Equal(claim.NodePool, tags[AwsTags.NodePool]);
                // Launched with the EC2NodeClass the cluster sent for its NodePools' nodeClassRef.
                Assert.Equal("default", tags[AwsTags.NodeClass]);
            });
        }

        // A spot interruption warning for a spot instance of prod-use1 (its workers run on spot only), as EventBridge puts it on the queue.
        var prod = fleet.Find("prod-use1")!;
        prod.SetReplicas("worker", 2);
        await UntilAsync(async () => prod.PendingPods == 0 && (await LiveClaimsAsync(grains, prod.ClusterId)).Any(c => c.CapacityType == "spot" && c.NodeName is not null),
            "prod-use1 runs its workers on a spot node");
        var target = (await LiveClaimsAsync(grains, prod.ClusterId)).Where(c => c.CapacityType == "spot" && c.NodeName is not null).OrderBy(c => c.Name, StringComparer.Ordinal).First();
        var warning = new JsonObject
        {
            ["version"] = "0",
            ["id"] = Guid.NewGuid().ToString(),
            ["detail-type"] = "EC2 Spot Instance Interruption Warning",
            ["source"] = "aws.ec2",
            ["account"] = "123456789012",
            ["time"] = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["region"] = Regions[0],
            ["resources"] = new JsonArray($"arn:aws:ec2:{Regions[0]}:123456789012:instance/{target.InstanceId}"),
            ["detail"] = new JsonObject { ["instance-id"] = target.InstanceId, ["instance-action"] = "terminate" },
        };
        await sqs.SendMessageAsync(new SendMessageRequest { QueueUrl = queueUrl, MessageBody = warning.ToJsonString() });

        // The notice reached the claim: as Karpenter does, the interrupted spot offering is not offered to any cluster of the region for a while.
        var offerings = grains.GetGrain<IOfferingsGrain>($"aws/{Regions[0]}");
        await UntilAsync(async () => (await offerings.GetAvailabilityAsync()).Unavailable.Any(u => u.Offering == new OfferingKey(target.InstanceType!, target.Zone!, "spot")),
            $"{target.InstanceType}/{target.Zone}/spot is unavailable");

        await UntilAsync(async () =>
            (await LiveClaimsAsync(grains, "prod-use1")).All(c => c.InstanceId != target.InstanceId)
            && (await RunningInstancesAsync(Regions[0], "prod-use1")).All(i => i.InstanceId != target.InstanceId)
            && fleet.Find("prod-use1") is { PendingPods: 0, Nodes: > 0 },
            $"NodeClaim {target.Name} is replaced and its instance {target.InstanceId} terminated", timeoutSeconds: 180);
        var attributes = await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest
        {
            QueueUrl = queueUrl,
            AttributeNames = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        });
        Assert.Equal(0, attributes.ApproximateNumberOfMessages + attributes.ApproximateNumberOfMessagesNotVisible);
        // The same fleet-wide path as the simulated cloud's interruptions: the pool's interruption rate counts it.
        var rates = await grains.GetGrain<IInterruptionRatesGrain>($"aws/{Regions[0]}").GetRatesAsync();
        Assert.Contains(rates, r => r.InstanceType == target.InstanceType && r.Zone == target.Zone && r.Interruptions >= 1);

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
