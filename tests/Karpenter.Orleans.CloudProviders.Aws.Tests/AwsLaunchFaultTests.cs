using System.Net;
using Amazon.EC2.Model;

namespace Karpenter.Orleans.CloudProviders.Aws.Tests;

/// <summary>
/// EC2's failures put into real SDK calls against moto (<see cref="Ec2FaultInjector"/>): what a launch makes of
/// each, counted in the EC2 calls the injector saw and in the instances moto holds afterwards.
/// </summary>
[Collection(MotoCollection.Name)]
public sealed class AwsLaunchFaultTests(MotoServer moto) : IAsyncLifetime
{
    private static readonly LaunchOffering Cheapest = AwsLaunchHarness.OnDemand("c5.large", "us-east-1a", 0.085);
    private static readonly LaunchOffering Next = AwsLaunchHarness.OnDemand("m5.large", "us-east-1a", 0.096);

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
    public async Task Insufficient_capacity_for_the_cheapest_offering_launches_the_next_one_and_reports_the_cheapest_as_failed()
    {
        _aws.Faults.InsufficientCapacity(Cheapest.InstanceType, Cheapest.Zone);

        var result = await _aws.Cloud.LaunchAsync(AwsLaunchHarness.Request("shop", offerings: [Cheapest, Next]));

        var instance = Assert.IsType<CloudInstance>(result.Instance);
        Assert.Equal((Next.InstanceType, Next.Zone, Next.CapacityType), (instance.InstanceType, instance.Zone, instance.CapacityType));
        Assert.Equal(Next.PricePerHour, instance.PricePerHour);
        var failure = Assert.Single(result.Failures);
        Assert.Equal(Cheapest, failure.Offering);
        Assert.Equal(CloudErrorCode.InsufficientCapacity, failure.Code);
        Assert.Contains("InsufficientInstanceCapacity", failure.Message, StringComparison.Ordinal);

        // One CreateFleet with both offerings, cheapest first: EC2 falls back inside the fleet, no second call.
        var call = Assert.Single(_aws.Faults.CreateFleets);
        Assert.Equal([(Cheapest.InstanceType, Cheapest.Zone), (Next.InstanceType, Next.Zone)], call.Overrides);
        Assert.Equal(instance.Id, Assert.Single(await _aws.DescribeAllAsync()).InstanceId);
    }

    [Fact]
    public async Task Insufficient_capacity_on_every_offering_launches_nothing_and_reports_each_offering()
    {
        _aws.Faults.InsufficientCapacity(Cheapest.InstanceType, Cheapest.Zone);
        _aws.Faults.InsufficientCapacity(Next.InstanceType, Next.Zone, "UnfulfillableCapacity");

        var result = await _aws.Cloud.LaunchAsync(AwsLaunchHarness.Request("shop", offerings: [Cheapest, Next]));

        Assert.Null(result.Instance);
        Assert.Equal([Cheapest, Next], result.Failures.Select(f => f.Offering));
        Assert.All(result.Failures, f => Assert.Equal(CloudErrorCode.InsufficientCapacity, f.Code));
        Assert.Equal(1, _aws.Faults.Calls("CreateFleet"));
        Assert.Empty(await _aws.DescribeAllAsync());
    }

    [Fact]
    public async Task RequestLimitExceeded_twice_is_retried_after_backing_off_and_the_third_CreateFleet_launches_one_instance()
    {
        _aws.Faults.Fail("CreateFleet", HttpStatusCode.ServiceUnavailable, "RequestLimitExceeded", times: 2);

        var result = await _aws.Cloud.LaunchAsync(AwsLaunchHarness.Request("shop", offerings: [Cheapest]));

        var instance = Assert.IsType<CloudInstance>(result.Instance);
        Assert.Empty(result.Failures);
        Assert.Equal(3, _aws.Faults.Calls("CreateFleet"));
        Assert.Equal(instance.Id, Assert.Single(await _aws.DescribeAllAsync()).InstanceId);

        // The pipeline backed off before each retry, within the configured delays, and said so.
        var retries = Retries();
        Assert.Equal(2, retries.Count);
        Assert.All(retries, r => Assert.Equal(("CreateFleet", "RequestLimitExceeded"), (r.Values["Action"], r.Values["Code"])));
        Assert.All(retries, r => Assert.InRange((double)r.Values["DelayMs"]!, double.Epsilon, AwsLaunchHarness.Retry.MaxDelay.TotalMilliseconds));
    }

    [Fact]
    public async Task Throttling_that_does_not_stop_gives_up_after_the_configured_retries_as_Throttled()
    {
        _aws.Faults.Fail("CreateFleet", HttpStatusCode.ServiceUnavailable, "RequestLimitExceeded");

        var ex = await Assert.ThrowsAsync<CloudProviderException>(() => _aws.Cloud.LaunchAsync(AwsLaunchHarness.Request("shop", offerings: [Cheapest])));

        Assert.Equal(CloudErrorCode.Throttled, ex.Code);
        Assert.Equal(AwsLaunchHarness.Retry.MaxRetryAttempts + 1, _aws.Faults.Calls("CreateFleet"));
        Assert.Equal(AwsLaunchHarness.Retry.MaxRetryAttempts, Retries().Count);
        Assert.Empty(await _aws.DescribeAllAsync());
    }

    [Fact]
    public async Task UnauthorizedOperation_on_CreateFleet_fails_the_launch_as_Unauthorized_after_one_call()
    {
        _aws.Faults.Fail("CreateFleet", HttpStatusCode.Forbidden, "UnauthorizedOperation");

        var ex = await Assert.ThrowsAsync<CloudProviderException>(() => _aws.Cloud.LaunchAsync(AwsLaunchHarness.Request("shop", nodeClaim: "general-x7k2p", offerings: [Cheapest, Next])));

        Assert.Equal(CloudErrorCode.Unauthorized, ex.Code);
        Assert.Contains("UnauthorizedOperation", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, _aws.Faults.Calls("CreateFleet"));
        Assert.Empty(Retries());
        Assert.Empty(await _aws.DescribeAllAsync());
    }

    [Theory]
    [InlineData("VcpuLimitExceeded", "on-demand")]
    [InlineData("MaxSpotInstanceCountExceeded", "spot")]
    public async Task The_accounts_vcpu_limits_are_quota_failures_not_missing_capacity(string code, string capacityType)
    {
        var cheapest = Cheapest with { CapacityType = capacityType };
        var next = Next with { CapacityType = capacityType };
        _aws.Faults.InsufficientCapacity(cheapest.InstanceType, cheapest.Zone, code);

        var partly = await _aws.Cloud.LaunchAsync(AwsLaunchHarness.Request("shop", offerings: [cheapest, next]));
        _aws.Faults.InsufficientCapacity(next.InstanceType, next.Zone, code);
        var wholly = await _aws.Cloud.LaunchAsync(AwsLaunchHarness.Request("shop", offerings: [cheapest, next]));

        Assert.Equal(next.InstanceType, partly.Instance?.InstanceType);
        var failure = Assert.Single(partly.Failures);
        Assert.Equal((cheapest, CloudErrorCode.QuotaExceeded), (failure.Offering, failure.Code));
        Assert.Contains(code, failure.Message, StringComparison.Ordinal);
        // Every offering refused for the quota: no instance, and a result (not an error) naming each, for the
        // NodeClaim grain to report to the account's quota ledger rather than mark the offerings unavailable.
        Assert.Null(wholly.Instance);
        Assert.Equal([(cheapest, CloudErrorCode.QuotaExceeded), (next, CloudErrorCode.QuotaExceeded)], wholly.Failures.Select(f => (f.Offering, f.Code)));
    }

    [Fact]
    public async Task UnauthorizedOperation_holds_launches_in_the_region_off_and_shows_on_the_node_class_without_more_calls()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        using var aws = new AwsLaunchHarness(moto, time);
        var subnet = (await aws.Ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest())).Subnets.Single(s => s.AvailabilityZone == "us-east-1a").SubnetId;
        var nodeClass = new NodeClassDocument("karpenter.k8s.aws/v1", "EC2NodeClass", "default",
            """{"apiVersion":"karpenter.k8s.aws/v1","kind":"EC2NodeClass","metadata":{"name":"default"},"spec":{"role":"KarpoNodeRole","amiSelectorTerms":[{"alias":"al2023@latest"}],"subnetSelectorTerms":[{"id":""" + $"\"{subnet}\"" + """}],"securityGroupSelectorTerms":[{"name":"default"}]}}""");
        aws.Faults.Fail("CreateFleet", HttpStatusCode.Forbidden, "UnauthorizedOperation");

        // Ten provisioning runs in the next minute, each with a new NodeClaim.
        var errors = new List<CloudProviderException>();
        for (var i = 0; i < 10; i++)
        {
            errors.Add(await Assert.ThrowsAsync<CloudProviderException>(() => aws.Cloud.LaunchAsync(
                AwsLaunchHarness.Request("shop", nodeClaim: $"general-{i}", offerings: [Cheapest]) with { NodeClass = nodeClass })));
            time.Advance(TimeSpan.FromSeconds(5));
        }

        Assert.All(errors, e => Assert.Equal(CloudErrorCode.Unauthorized, e.Code));
        Assert.Equal(1, aws.Faults.Calls("CreateFleet"));
        Assert.All(errors.Skip(1), e => Assert.Contains("not tried again before", e.Message, StringComparison.Ordinal));
        // The launches after the first made no EC2 call at all.
        var callsAfterRefusal = aws.Faults.Actions.Count;
        var status = await aws.Cloud.ResolveNodeClassAsync(AwsLaunchHarness.Region, nodeClass);
        Assert.False(status!.Ready);
        var conditions = System.Text.Json.Nodes.JsonNode.Parse(status.Json)!["conditions"]!.AsArray().ToDictionary(c => c!["type"]!.GetValue<string>(), c => c!);
        Assert.Equal(("False", "UnauthorizedOperation"), (conditions["ValidationSucceeded"]["status"]!.GetValue<string>(), conditions["ValidationSucceeded"]["reason"]!.GetValue<string>()));
        Assert.Contains("CreateFleet", conditions["ValidationSucceeded"]["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("False", conditions["Ready"]["status"]!.GetValue<string>());
        Assert.Equal("True", conditions["SubnetsReady"]["status"]!.GetValue<string>());

        // Once the hold-off has passed (the permission granted meanwhile), the next launch asks EC2 and launches.
        time.Advance(TimeSpan.FromSeconds(15));
        aws.Faults.Clear();
        var launched = await aws.Cloud.LaunchAsync(AwsLaunchHarness.Request("shop", nodeClaim: "general-ok", offerings: [Cheapest]) with { NodeClass = nodeClass });

        Assert.NotNull(launched.Instance);
        Assert.Equal(2, aws.Faults.Calls("CreateFleet"));
        Assert.True(aws.Faults.Actions.Count > callsAfterRefusal);
        Assert.True((await aws.Cloud.ResolveNodeClassAsync(AwsLaunchHarness.Region, nodeClass))!.Ready);
    }

    [Fact]
    public async Task A_role_without_any_permission_fails_the_launch_at_its_first_call()
    {
        _aws.Faults.FailAll(HttpStatusCode.Forbidden, "UnauthorizedOperation");

        var ex = await Assert.ThrowsAsync<CloudProviderException>(() => _aws.Cloud.LaunchAsync(AwsLaunchHarness.Request("shop", offerings: [Cheapest])));

        Assert.Equal(CloudErrorCode.Unauthorized, ex.Code);
        Assert.Single(_aws.Faults.Actions);
        Assert.Equal(0, _aws.Faults.Calls("CreateFleet"));
    }

    [Fact]
    public async Task A_CreateFleet_response_lost_after_EC2_launched_is_recovered_by_the_retried_launch_from_the_instance_tags()
    {
        var request = AwsLaunchHarness.Request("shop", nodeClaim: "general-q9z4m", offerings: [Cheapest, Next]);
        _aws.Faults.LoseResponse("CreateFleet");

        // The caller never learns what EC2 did: not a refusal it could act on, so it keeps the claim and retries.
        var lost = await Record.ExceptionAsync(() => _aws.Cloud.LaunchAsync(request));
        Assert.NotNull(lost);
        Assert.IsNotType<CloudProviderException>(lost);
        var made = Assert.Single(await _aws.DescribeAllAsync());

        var retried = await _aws.Cloud.LaunchAsync(request);

        Assert.Equal(made.InstanceId, retried.Instance?.Id);
        Assert.Equal(("shop", "general-q9z4m"), (retried.Instance!.ClusterId, retried.Instance.NodeClaim));
        Assert.Equal(1, _aws.Faults.Calls("CreateFleet"));
        var instances = await _aws.DescribeAllAsync();
        Assert.Equal(made.InstanceId, Assert.Single(instances).InstanceId);
        Assert.Contains(await _aws.Instances.ListAsync(AwsLaunchHarness.Region, "shop"), i => i.Id == made.InstanceId);
    }

    [Fact]
    public async Task A_NodeClaim_with_many_labels_launches_with_its_labels_split_into_tags_EC2_takes_and_reads_them_back_whole()
    {
        var labels = System.Text.Json.JsonSerializer.Serialize(Enumerable.Range(0, 40).ToDictionary(
            i => $"team.example.com/label-{i:00}", i => $"value-{i:00}-{new string('x', 20)}"));
        Assert.True(labels.Length > 3 * AwsTags.MaxValueLength);
        var request = AwsLaunchHarness.Request("shop", offerings: [Cheapest]) with
        {
            Tags = new Dictionary<string, string>(StringComparer.Ordinal) { ["karpo.io/node-labels"] = labels, ["karpo.io/node-taints"] = "[]" },
        };

        var result = await _aws.Cloud.LaunchAsync(request);

        var instance = Assert.IsType<CloudInstance>(result.Instance);
        var sent = Assert.Single(_aws.Faults.CreateFleets).InstanceTags;
        Assert.All(sent, t => Assert.InRange(t.Value.Length, 0, AwsTags.MaxValueLength));
        Assert.All(sent, t => Assert.InRange(t.Key.Length, 1, AwsTags.MaxKeyLength));
        Assert.InRange(sent.Count, 1, AwsTags.MaxTagsPerResource);
        Assert.Contains(AwsTags.PartKey("karpo.io/node-labels", 2), sent.Keys);

        // What the node is built from: the provider's view of the instance, with the labels whole.
        Assert.Equal(labels, instance.Tags["karpo.io/node-labels"]);
        Assert.DoesNotContain(instance.Tags.Keys, k => k.Contains(AwsTags.PartSeparator, StringComparison.Ordinal));
        var described = await _aws.DescribeAsync(instance.Id);
        Assert.Equal(sent.Count, described.Tags.Count);
        Assert.Equal(labels, (await _aws.Instances.GetAsync(AwsLaunchHarness.Region, instance.Id))!.Tags["karpo.io/node-labels"]);
    }

    [Fact]
    public async Task A_launch_needing_more_tags_than_EC2_allows_is_refused_before_any_CreateFleet_naming_the_NodePool()
    {
        var labels = new string('l', 60 * AwsTags.MaxValueLength);
        var request = AwsLaunchHarness.Request("shop", nodePool: "labelled", offerings: [Cheapest]) with
        {
            Tags = new Dictionary<string, string>(StringComparer.Ordinal) { ["karpo.io/node-labels"] = labels },
        };

        var ex = await Assert.ThrowsAsync<CloudProviderException>(() => _aws.Cloud.LaunchAsync(request));

        Assert.Equal(CloudErrorCode.InvalidRequest, ex.Code);
        Assert.Contains("'labelled'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("karpo.io/node-labels", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, _aws.Faults.Calls("CreateFleet"));
    }

    [Fact]
    public async Task The_injector_holds_CreateFleet_to_EC2s_tag_value_limit()
    {
        // A control for the test above: without the split, EC2 (here the injector, moto does not check) refuses the launch.
        var ec2 = _aws.Clients.Ec2(AwsLaunchHarness.Region);
        var ex = await Assert.ThrowsAsync<Amazon.EC2.AmazonEC2Exception>(() => ec2.CreateFleetAsync(new CreateFleetRequest
        {
            Type = Amazon.EC2.FleetType.Instant,
            TargetCapacitySpecification = new TargetCapacitySpecificationRequest { TotalTargetCapacity = 1, DefaultTargetCapacityType = Amazon.EC2.DefaultTargetCapacityType.OnDemand },
            LaunchTemplateConfigs = [],
            TagSpecifications = [new TagSpecification { ResourceType = Amazon.EC2.ResourceType.Instance, Tags = [new Tag("karpo.io/node-labels", new string('x', AwsTags.MaxValueLength + 1))] }],
        }));

        Assert.Equal("InvalidParameterValue", ex.ErrorCode);
    }

    private List<(Microsoft.Extensions.Logging.LogLevel Level, string Message, IReadOnlyDictionary<string, object?> Values)> Retries() =>
        [.. _aws.Log.Entries.Where(e => e.Message.StartsWith("EC2 throttled", StringComparison.Ordinal))];
}
