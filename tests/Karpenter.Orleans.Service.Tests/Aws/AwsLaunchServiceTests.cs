using System.Net;
using System.Text.Json;
using k8s.Models;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.CloudProviders.Aws;
using Karpenter.Orleans.CloudProviders.Aws.Tests;
using Karpenter.Orleans.Service.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Karpenter.Orleans.Service.Tests.Aws;

/// <summary>
/// The service's grains (TestingHost silo) on the AWS provider against moto, with EC2's failures injected into the
/// SDK's HTTP layer: what one cluster learns from CreateFleet steers the region's other clusters, a missing
/// permission ends the NodeClaim with its reason and one counted error, a lost CreateFleet response is recovered
/// by the claim's replay, and a claim with many labels launches with all of them.
/// </summary>
[Collection(AwsServiceCollection.Name)]
public sealed class AwsLaunchServiceTests(MotoServer moto) : IAsyncLifetime
{
    private const string Region = AwsLaunchHarness.Region;
    private static readonly OfferingOption Cheapest = new("c5.large", "us-east-1a", "on-demand", 0.085);
    private static readonly OfferingOption Next = new("m5.large", "us-east-1a", "on-demand", 0.096);

    private AwsLaunchHarness _aws = null!;

    public async Task InitializeAsync()
    {
        await moto.ResetAsync();
        _aws = new AwsLaunchHarness(moto);
    }

    public Task DisposeAsync()
    {
        _aws.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Insufficient_capacity_seen_by_one_cluster_keeps_another_cluster_of_the_region_off_that_offering()
    {
        await using var service = await StartAsync();
        var a = await RegisterAsync(service.Grains, "ice-a", TestObjects.Pod("web-0", "1", "2Gi"));
        await a.ProvisionAsync();
        var first = await LaunchedAsync(a, "cluster A's first NodeClaim launched");
        await service.Grains.GetGrain<INodeClaimGrain>($"ice-a/{first.Name}").DeleteAsync("test");
        await Eventually.TrueAsync(async () => (await a.GetNodeClaimsAsync()).All(c => c.Phase == NodeClaimPhase.Terminated), "cluster A sees its claim end");

        // A's choice runs out of capacity in EC2: A's next CreateFleet asks for it first and EC2 fills the next override.
        _aws.Faults.InsufficientCapacity(first.InstanceType!, first.Zone!);
        var seen = _aws.Faults.CreateFleets.Count;
        await a.ProvisionAsync();
        var fallback = await LaunchedAsync(a, "cluster A's second NodeClaim launched");
        Assert.NotEqual((first.InstanceType, first.Zone), (fallback.InstanceType, fallback.Zone));
        var aCall = Assert.Single(_aws.Faults.CreateFleets.Skip(seen));
        Assert.Equal((first.InstanceType!, first.Zone!), aCall.Overrides[0]);
        var iced = new OfferingKey(first.InstanceType!, first.Zone!, first.CapacityType!);
        Assert.Contains((await service.Grains.GetGrain<IOfferingsGrain>($"{AwsCloudProvider.ProviderName}/{Region}").GetAvailabilityAsync()).Unavailable,
            u => u.Offering == iced);

        // EC2 has capacity again, but B only knows what A learned: its CreateFleet does not even ask for that offering.
        _aws.Faults.Clear();
        seen = _aws.Faults.CreateFleets.Count;
        var b = await RegisterAsync(service.Grains, "ice-b", TestObjects.Pod("web-0", "1", "2Gi"));
        await b.ProvisionAsync();

        var bClaim = await LaunchedAsync(b, "cluster B's NodeClaim launched");
        Assert.NotEqual((first.InstanceType, first.Zone, first.CapacityType), (bClaim.InstanceType, bClaim.Zone, bClaim.CapacityType));
        var bCalls = _aws.Faults.CreateFleets.Skip(seen).Where(c => c.Cluster == "ice-b").ToList();
        Assert.Single(bCalls);
        Assert.DoesNotContain(bCalls.Where(c => c.CapacityType == first.CapacityType).SelectMany(c => c.Overrides), o => o == (first.InstanceType!, first.Zone!));
    }

    [Fact]
    public async Task UnauthorizedOperation_ends_the_NodeClaim_with_its_reason_after_one_CreateFleet_and_counts_one_Unauthorized_error()
    {
        await using var service = await StartAsync();
        using var errors = new CloudProviderErrorCounter("deny");
        _aws.Faults.Fail("CreateFleet", HttpStatusCode.Forbidden, "UnauthorizedOperation");

        var info = await service.Grains.GetGrain<INodeClaimGrain>("deny/default-x1").CreateAsync(Spec("deny", "default-x1", Cheapest, Next));

        Assert.Equal(NodeClaimPhase.Terminated, info.Phase);
        Assert.StartsWith("launch failed: Unauthorized", info.Reason, StringComparison.Ordinal);
        Assert.Contains("UnauthorizedOperation", info.Reason, StringComparison.Ordinal);
        Assert.Null(info.InstanceId);
        Assert.Equal(1, _aws.Faults.Calls("CreateFleet"));
        Assert.Equal(new Dictionary<(string, string), long> { [(AwsCloudProvider.ProviderName, nameof(CloudErrorCode.Unauthorized))] = 1 }, errors.Counts);
        Assert.Empty(await _aws.DescribeAllAsync());
    }

    [Fact]
    public async Task A_provisioning_run_refused_by_UnauthorizedOperation_makes_one_CreateFleet_and_its_claim_says_why()
    {
        await using var service = await StartAsync();
        using var errors = new CloudProviderErrorCounter("deny-pool");
        _aws.Faults.Fail("CreateFleet", HttpStatusCode.Forbidden, "UnauthorizedOperation");
        var cluster = await RegisterAsync(service.Grains, "deny-pool", TestObjects.Pod("web-0", "1", "2Gi"));

        await cluster.ProvisionAsync();

        // The NodePool allows spot and on-demand (options under two quotas): the first refusal ends the whole launch.
        NodeClaimInfo? ended = null;
        await Eventually.TrueAsync(async () => (ended = (await cluster.GetNodeClaimsAsync()).SingleOrDefault(c => c.Phase == NodeClaimPhase.Terminated)) is not null,
            "the NodeClaim ended", timeoutSeconds: 60);
        Assert.StartsWith("launch failed: Unauthorized", ended!.Reason, StringComparison.Ordinal);
        Assert.Equal(1, _aws.Faults.Calls("CreateFleet"));
        Assert.Equal(1, errors.Counts[(AwsCloudProvider.ProviderName, nameof(CloudErrorCode.Unauthorized))]);
        Assert.Empty(await _aws.DescribeAllAsync());
    }

    [Fact]
    public async Task A_CreateFleet_response_lost_leaves_the_claim_pending_and_its_replay_takes_the_one_instance_EC2_made()
    {
        await using var service = await StartAsync();
        var claim = service.Grains.GetGrain<INodeClaimGrain>("crash/default-c1");
        _aws.Faults.LoseResponse("CreateFleet");

        var lost = await Record.ExceptionAsync(() => claim.CreateAsync(Spec("crash", "default-c1", Cheapest, Next)));

        Assert.NotNull(lost);
        var pending = await claim.GetAsync();
        Assert.Equal((NodeClaimPhase.Pending, null), (pending!.Phase, pending.InstanceId));
        var made = Assert.Single(await _aws.DescribeAllAsync());

        // The cluster's reconcile replays a pending claim with the same client token: the instance's tags answer it.
        var replayed = await claim.ReconcileAsync();

        Assert.Equal(NodeClaimPhase.Launched, replayed!.Phase);
        Assert.Equal(made.InstanceId, replayed.InstanceId);
        Assert.Equal(1, _aws.Faults.Calls("CreateFleet"));
        Assert.Equal(made.InstanceId, Assert.Single(await _aws.DescribeAllAsync()).InstanceId);
        var bound = await service.Grains.GetGrain<IInstanceGrain>($"{AwsCloudProvider.ProviderName}/{Region}/{made.InstanceId}").GetAsync();
        Assert.Equal(("crash", "default-c1"), (bound!.ClusterId, bound.NodeClaim));
    }

    [Fact]
    public async Task A_NodeClaim_with_many_labels_launches_and_its_instance_carries_every_label()
    {
        await using var service = await StartAsync();
        var labels = Enumerable.Range(0, 40).ToDictionary(i => $"team.example.com/label-{i:00}", i => $"value-{i:00}-{new string('v', 30)}");
        var spec = Spec("labels", "default-l1", Cheapest) with { Labels = labels };

        var info = await service.Grains.GetGrain<INodeClaimGrain>("labels/default-l1").CreateAsync(spec);

        Assert.Equal(NodeClaimPhase.Launched, info.Phase);
        var instance = await _aws.Cloud.GetAsync(Region, info.InstanceId!);
        Assert.Equal(labels, JsonSerializer.Deserialize<Dictionary<string, string>>(instance!.Tags["karpo.io/node-labels"]));
        Assert.All(Assert.Single(_aws.Faults.CreateFleets).InstanceTags, t => Assert.InRange(t.Value.Length, 0, AwsTags.MaxValueLength));
    }

    private Task<ServiceCluster> StartAsync() =>
        ServiceCluster.StartAsync(services: s => s.AddSingleton<ICloudProvider>(_aws.Cloud));

    private static NodeClaimSpec Spec(string cluster, string name, params OfferingOption[] options) =>
        new(cluster, name, "default", AwsCloudProvider.ProviderName, Region, TestObjects.Account, options,
            new Dictionary<string, string> { ["team"] = "a" }, ["dedicated=web:NoSchedule"], 1000, 1 << 30, ["default/web-0"]);

    private Task<IClusterGrain> RegisterAsync(IGrainFactory grains, string cluster, params V1Pod[] pods) =>
        AwsNodeClassSetup.RegisterAsync(grains, _aws, cluster, pods);

    /// <summary>The cluster's one live NodeClaim once it has launched.</summary>
    private static async Task<NodeClaimInfo> LaunchedAsync(IClusterGrain cluster, string what)
    {
        NodeClaimInfo? launched = null;
        await Eventually.TrueAsync(async () =>
        {
            var live = (await cluster.GetNodeClaimsAsync()).Where(c => c.Phase != NodeClaimPhase.Terminated).ToList();
            launched = live.Count == 1 && live[0].Phase == NodeClaimPhase.Launched ? live[0] : null;
            return launched is not null;
        }, what, timeoutSeconds: 60);
        return launched!;
    }
}
