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
