using Amazon.EC2;
using Karpenter.Orleans.CloudProviders.Aws.Instances;

namespace Karpenter.Orleans.CloudProviders.Aws.Tests;

/// <summary>Launch through CreateFleet, look up, list and terminate, against moto.</summary>
[Collection(MotoCollection.Name)]
public sealed class AwsInstanceProviderTests(MotoServer moto) : IAsyncLifetime
{
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
    public async Task An_on_demand_launch_makes_the_first_offering_tagged_for_cluster_pool_claim_and_token()
    {
        var request = AwsLaunchHarness.Request("shop", nodeClaim: "general-abc12", nodePool: "general", offerings:
            [AwsLaunchHarness.OnDemand("m5.large", "us-east-1b", 0.096), AwsLaunchHarness.OnDemand("c5.large", "us-east-1c", 0.085)]);

        var result = await _aws.Instances.LaunchAsync(request);

        Assert.Empty(result.Failures);
        var instance = Assert.IsType<CloudInstance>(result.Instance);
        Assert.Equal(("m5.large", "us-east-1b", "on-demand"), (instance.InstanceType, instance.Zone, instance.CapacityType));
        Assert.Equal($"aws:///us-east-1b/{instance.Id}", instance.ProviderId);
        Assert.Equal(0.096, instance.PricePerHour);
        Assert.Equal(("shop", "general-abc12", "general"), (instance.ClusterId, instance.NodeClaim, instance.NodePool));

        var described = await _aws.DescribeAsync(instance.Id);
        Assert.Equal("m5.large", described.InstanceType.Value);
        Assert.Equal("us-east-1b", described.Placement.AvailabilityZone);
        Assert.NotEqual(InstanceLifecycleType.Spot, described.InstanceLifecycle);
        var tags = described.Tags.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        Assert.Equal("shop", tags[AwsTags.EksClusterName]);
        Assert.Equal("owned", tags[AwsTags.ClusterOwnership("shop")]);
        Assert.Equal("general", tags[AwsTags.NodePool]);
        Assert.Equal("general-abc12", tags[AwsTags.NodeClaim]);
        Assert.Equal(request.ClientToken, tags[AwsTags.ClientToken]);
        Assert.Equal("payments", tags["team"]);
    }

    [Fact]
    public async Task A_spot_launch_makes_a_spot_instance_and_reads_it_back_as_spot()
    {
        var result = await _aws.Instances.LaunchAsync(AwsLaunchHarness.Request("shop", offerings: [AwsLaunchHarness.Spot("m5.xlarge", "us-east-1a")]));

        var instance = Assert.IsType<CloudInstance>(result.Instance);
        Assert.Equal("spot", instance.CapacityType);
        Assert.Equal(InstanceLifecycleType.Spot, (await _aws.DescribeAsync(instance.Id)).InstanceLifecycle);
        Assert.Equal("spot", (await _aws.Instances.GetAsync(AwsLaunchHarness.Region, instance.Id))?.CapacityType);
    }

    [Fact]
    public async Task A_launch_takes_the_first_offerings_capacity_type_only()
    {
        var result = await _aws.Instances.LaunchAsync(AwsLaunchHarness.Request("shop", offerings:
            [AwsLaunchHarness.Spot("m5.large", "us-east-1a"), AwsLaunchHarness.OnDemand("m5.large", "us-east-1a")]));

        Assert.Equal("spot", result.Instance?.CapacityType);
        Assert.Single(await _aws.DescribeAllAsync());
    }

    [Fact]
    public async Task An_arm64_type_launches_from_the_arm64_template()
    {
        var result = await _aws.Instances.LaunchAsync(AwsLaunchHarness.Request("shop", offerings: [AwsLaunchHarness.OnDemand("m6g.large", "us-east-1a")]));

        var instance = Assert.IsType<CloudInstance>(result.Instance);
        var described = await _aws.DescribeAsync(instance.Id);
        var image = await _aws.Ec2.DescribeImagesAsync(new Amazon.EC2.Model.DescribeImagesRequest { ImageIds = [described.ImageId] });
        Assert.Equal("arm64", Assert.Single(image.Images).Architecture.Value);
    }

    [Fact]
    public async Task A_launch_with_more_offerings_than_CreateFleet_takes_sends_the_first_60_in_preference_order()
    {
        string[] types = ["m5.large", "m5.xlarge", "m5.2xlarge", "c5.large", "c5.xlarge", "c5.2xlarge", "r5.large", "r5.xlarge", "r5.2xlarge", "m6i.large", "c6i.large", "r6i.large"];
        string[] zones = ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"];
        var offerings = types.SelectMany(t => zones.Select(z => AwsLaunchHarness.OnDemand(t, z))).ToArray();
        Assert.True(offerings.Length > AwsInstanceProvider.MaxOverrides);

        var result = await _aws.Instances.LaunchAsync(AwsLaunchHarness.Request("shop", offerings: offerings));

        var call = Assert.Single(_aws.Faults.CreateFleets);
        Assert.Equal(offerings.Take(AwsInstanceProvider.MaxOverrides).Select(o => (o.InstanceType, o.Zone)), call.Overrides);
        Assert.Equal((offerings[0].InstanceType, offerings[0].Zone), (result.Instance?.InstanceType, result.Instance?.Zone));
        Assert.Single(await _aws.DescribeAllAsync());
    }

    [Fact]
    public async Task List_returns_the_live_instances_of_the_cluster_only()
    {
        var a = await _aws.Instances.LaunchAsync(AwsLaunchHarness.Request("shop", offerings: [AwsLaunchHarness.OnDemand("m5.large", "us-east-1a")]));
        var b = await _aws.Instances.LaunchAsync(AwsLaunchHarness.Request("shop", offerings: [AwsLaunchHarness.OnDemand("c5.large", "us-east-1b")]));
        var gone = await _aws.Instances.LaunchAsync(AwsLaunchHarness.Request("shop", offerings: [AwsLaunchHarness.OnDemand("c5.large", "us-east-1b")]));
        var other = await _aws.Instances.LaunchAsync(AwsLaunchHarness.Request("search", offerings: [AwsLaunchHarness.OnDemand("m5.large", "us-east-1a")]));
        await _aws.Instances.TerminateAsync(AwsLaunchHarness.Region, gone.Instance!.Id);
        await _aws.Ec2.DescribeInstancesAsync(new Amazon.EC2.Model.DescribeInstancesRequest());

        var listed = await _aws.Instances.ListAsync(AwsLaunchHarness.Region, "shop");

        var live = listed.Where(i => i.State is CloudInstanceState.Pending or CloudInstanceState.Running).Select(i => i.Id).Order(StringComparer.Ordinal);
        Assert.Equal(new[] { a.Instance!.Id, b.Instance!.Id }.Order(StringComparer.Ordinal), live);
        Assert.DoesNotContain(listed, i => i.Id == other.Instance!.Id);
        Assert.All(listed, i => Assert.Equal("shop", i.ClusterId));
    }

    [Fact]
    public async Task Terminate_ends_the_instance_and_a_second_terminate_or_an_unknown_id_is_no_error()
    {
        var launched = await _aws.Instances.LaunchAsync(AwsLaunchHarness.Request("shop", offerings: [AwsLaunchHarness.OnDemand("m5.large", "us-east-1a")]));
        var id = launched.Instance!.Id;

        await _aws.Instances.TerminateAsync(AwsLaunchHarness.Region, id);
        await _aws.Instances.TerminateAsync(AwsLaunchHarness.Region, id);
        await _aws.Instances.TerminateAsync(AwsLaunchHarness.Region, "i-0000000000000dead");

        var state = (await _aws.DescribeAsync(id)).State.Name.Value;
        Assert.Contains(state, new[] { "shutting-down", "terminated" });
        Assert.Contains((await _aws.Instances.GetAsync(AwsLaunchHarness.Region, id))?.State, new CloudInstanceState?[] { CloudInstanceState.ShuttingDown, CloudInstanceState.Terminated });
        Assert.Equal(1, _aws.Faults.Calls("TerminateInstances"));
    }

    [Fact]
    public async Task Get_of_an_unknown_instance_is_null()
    {
        Assert.Null(await _aws.Instances.GetAsync(AwsLaunchHarness.Region, "i-0123456789abcdef0"));
    }

    [Fact]
    public async Task A_launch_without_offerings_is_an_invalid_request_naming_the_claim()
    {
        var ex = await Assert.ThrowsAsync<CloudProviderException>(() => _aws.Instances.LaunchAsync(AwsLaunchHarness.Request("shop", nodeClaim: "general-x1")));

        Assert.Equal(CloudErrorCode.InvalidRequest, ex.Code);
        Assert.Contains("general-x1", ex.Message, StringComparison.Ordinal);
    }
}
