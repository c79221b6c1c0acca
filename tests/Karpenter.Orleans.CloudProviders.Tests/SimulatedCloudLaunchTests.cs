using System.Text.RegularExpressions;
using Karpenter.Orleans.CloudProviders.Simulated;
using static Karpenter.Orleans.CloudProviders.Tests.SimulatedClouds;

namespace Karpenter.Orleans.CloudProviders.Tests;

/// <summary>Launch, boot, terminate, faults and quota of the simulated cloud, on a fake clock.</summary>
public sealed partial class SimulatedCloudLaunchTests
{
    private const string Region = "us-east-1";

    [Fact]
    public async Task Instance_ids_look_like_ec2_ids_and_provider_ids_name_the_zone()
    {
        var cloud = Create(Clock());

        var instance = (await cloud.LaunchAsync(Request(Region, OnDemand("m5.large", "us-east-1b")))).Instance!;

        Assert.Matches(InstanceId(), instance.Id);
        Assert.Equal($"sim:///us-east-1b/{instance.Id}", instance.ProviderId);
        Assert.Equal(Start, instance.LaunchedAt);
    }

    [Fact]
    public async Task Instance_ids_are_the_same_on_every_run_with_the_same_seed_and_differ_with_another()
    {
        async Task<string> FirstId(int seed) =>
            (await Create(Clock(), o => o.Seed = seed).LaunchAsync(Request(Region, OnDemand("m5.large")))).Instance!.Id;

        Assert.Equal(await FirstId(7), await FirstId(7));
        Assert.NotEqual(await FirstId(7), await FirstId(8));
    }

    [Fact]
    public async Task An_instance_is_pending_until_the_boot_delay_has_passed()
    {
        var clock = Clock();
        var cloud = Create(clock, o => o.BootDelay = TimeSpan.FromSeconds(30));
        var id = (await cloud.LaunchAsync(Request(Region, OnDemand("m5.large")))).Instance!.Id;

        Assert.Equal(CloudInstanceState.Pending, (await cloud.GetAsync(Region, id))!.State);
        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(CloudInstanceState.Pending, (await cloud.GetAsync(Region, id))!.State);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(CloudInstanceState.Running, (await cloud.GetAsync(Region, id))!.State);
    }

    [Fact]
    public async Task The_default_boot_delay_is_five_seconds()
    {
        var clock = Clock();
        var cloud = Create(clock);
        var launched = (await cloud.LaunchAsync(Request(Region, OnDemand("m5.large")))).Instance!;

        Assert.Equal(CloudInstanceState.Pending, launched.State);
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(CloudInstanceState.Running, (await cloud.GetAsync(Region, launched.Id))!.State);
    }

    [Fact]
    public async Task A_terminated_instance_shuts_down_then_is_terminated_and_leaves_the_list()
    {
        var clock = Clock();
        var cloud = Create(clock);
        var id = (await cloud.LaunchAsync(Request(Region, OnDemand("m5.large")))).Instance!.Id;
        clock.Advance(TimeSpan.FromMinutes(1));

        await cloud.TerminateAsync(Region, id);
        Assert.Equal(CloudInstanceState.ShuttingDown, (await cloud.GetAsync(Region, id))!.State);
        Assert.Single(await cloud.ListAsync(Region, "cluster-a"));

        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(CloudInstanceState.Terminated, (await cloud.GetAsync(Region, id))!.State);
        Assert.Empty(await cloud.ListAsync(Region, "cluster-a"));
    }

    [Fact]
    public async Task An_instance_is_only_found_in_its_own_region()
    {
        var cloud = Create(Clock());
        var id = (await cloud.LaunchAsync(Request(Region, OnDemand("m5.large")))).Instance!.Id;

        Assert.Null(await cloud.GetAsync("us-west-2", id));
        Assert.Empty(await cloud.ListAsync("us-west-2", "cluster-a"));
    }

    [Fact]
    public async Task A_repeated_client_token_is_counted_as_a_call_but_makes_no_instance()
    {
        var cloud = Create(Clock());
        var request = Request(Region, OnDemand("m5.large"));

        await cloud.LaunchAsync(request);
        await cloud.LaunchAsync(request);
        await cloud.LaunchAsync(request with { Offerings = [OnDemand("c5.large")] });

        Assert.Equal(3, cloud.LaunchCallCount);
        Assert.Equal(1, cloud.InstancesCreated);
    }

    [Fact]
    public async Task The_same_client_token_in_another_account_is_another_launch()
    {
        var cloud = Create(Clock());
        var request = Request(Region, OnDemand("m5.large"));

        var a = await cloud.LaunchAsync(request);
        var b = await cloud.LaunchAsync(request with { Account = "444455556666" });

        Assert.NotEqual(a.Instance!.Id, b.Instance!.Id);
    }

    [Fact]
    public async Task Concurrent_launches_with_one_token_make_one_instance_and_with_many_tokens_unique_ones()
    {
        var cloud = Create(Clock());
        var shared = Request(Region, OnDemand("m5.large"));

        var same = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(() => cloud.LaunchAsync(shared))));
        var distinct = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(() => cloud.LaunchAsync(Request(Region, OnDemand("m5.large"))))));

        Assert.Single(same.Select(r => r.Instance!.Id).Distinct());
        Assert.Equal(32, distinct.Select(r => r.Instance!.Id).Distinct().Count());
        Assert.Equal(33, cloud.InstancesCreated);
        Assert.Equal(64, cloud.LaunchCallCount);
    }

    [Theory]
    [InlineData("m5.huge", "us-east-1a", "on-demand", "unknown instance type 'm5.huge'")]
    [InlineData("m5.large", "us-east-1f", "on-demand", "zone 'us-east-1f' is not in us-east-1")]
    [InlineData("m5.large", "us-west-2a", "on-demand", "zone 'us-west-2a' is not in us-east-1")]
    [InlineData("m5.large", "us-east-1a", "preemptible", "unknown capacity type 'preemptible'")]
    [InlineData("m5.large", "us-east-1a", "reserved", "m5.large is not offered as reserved in us-east-1a")]
    public async Task A_launch_naming_something_that_does_not_exist_is_rejected_whole(string type, string zone, string capacityType, string message)
    {
        var cloud = Create(Clock());

        var ex = await Assert.ThrowsAsync<CloudProviderException>(() =>
            cloud.LaunchAsync(Request(Region, OnDemand("c5.large"), new LaunchOffering(type, zone, capacityType, 0))));

        Assert.Equal(CloudErrorCode.InvalidRequest, ex.Code);
        Assert.Contains("offerings[1]", ex.Message, StringComparison.Ordinal);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, cloud.InstancesCreated);
    }

    [Fact]
    public async Task An_unknown_region_is_an_invalid_request_naming_the_option()
    {
        var cloud = Create(Clock());

        var ex = await Assert.ThrowsAsync<CloudProviderException>(() => cloud.GetInstanceTypesAsync("ap-south-1"));

        Assert.Equal(CloudErrorCode.InvalidRequest, ex.Code);
        Assert.Contains("Regions", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Insufficient_capacity_until_a_time_ends_at_that_time_and_the_catalog_never_reveals_it()
    {
        var clock = Clock();
        var cloud = Create(clock);
        cloud.InjectInsufficientCapacity("m5.large", "us-east-1a", "spot", Start.AddMinutes(3));

        // Like EC2, only a launch finds out.
        Assert.True(await IsAvailable(cloud, "m5.large", "us-east-1a", "spot"));
        Assert.True(await IsAvailable(cloud, "m5.large", "us-east-1a", "on-demand"));
        Assert.True(await IsAvailable(cloud, "m5.large", "us-east-1b", "spot"));
        var failed = await cloud.LaunchAsync(Request(Region, Spot("m5.large")));
        Assert.Null(failed.Instance);
        Assert.Equal(CloudErrorCode.InsufficientCapacity, Assert.Single(failed.Failures).Code);

        clock.Advance(TimeSpan.FromMinutes(3));

        Assert.True(await IsAvailable(cloud, "m5.large", "us-east-1a", "spot"));
        Assert.NotNull((await cloud.LaunchAsync(Request(Region, Spot("m5.large")))).Instance);
    }

    [Theory]
    [InlineData(CloudErrorCode.Unauthorized)]
    [InlineData(CloudErrorCode.Throttled)]
    public async Task A_call_fault_fails_every_call_until_faults_are_cleared(CloudErrorCode code)
    {
        var cloud = Create(Clock());
        var id = (await cloud.LaunchAsync(Request(Region, OnDemand("m5.large")))).Instance!.Id;
        cloud.FailAllCalls(code);

        var calls = new Func<Task>[]
        {
            () => cloud.GetInstanceTypesAsync(Region),
            () => cloud.LaunchAsync(Request(Region, OnDemand("m5.large"))),
            () => cloud.GetAsync(Region, id),
            () => cloud.ListAsync(Region, "cluster-a"),
            () => cloud.TerminateAsync(Region, id),
            () => cloud.ReceiveInterruptionsAsync(Region),
        };
        foreach (var call in calls)
        {
            Assert.Equal(code, (await Assert.ThrowsAsync<CloudProviderException>(call)).Code);
        }

        cloud.ClearFaults();
        Assert.Equal(CloudInstanceState.Pending, (await cloud.GetAsync(Region, id))!.State);
        Assert.Equal(1, cloud.InstancesCreated);
    }

    [Fact]
    public async Task A_vcpu_quota_fails_the_offering_that_would_exceed_it_and_frees_up_on_termination()
    {
        var clock = Clock();
        var cloud = Create(clock, o => o.VcpuQuota["on-demand"] = 4);
        Assert.NotNull((await cloud.LaunchAsync(Request(Region, OnDemand("m5.large")))).Instance);
        var second = (await cloud.LaunchAsync(Request(Region, OnDemand("m5.large")))).Instance!;

        var third = await cloud.LaunchAsync(Request(Region, OnDemand("m5.large"), Spot("m5.large")));

        var failure = Assert.Single(third.Failures);
        Assert.Equal(CloudErrorCode.QuotaExceeded, failure.Code);
        Assert.Contains("0 of its 4 on-demand vCPUs", failure.Message, StringComparison.Ordinal);
        Assert.Equal("spot", third.Instance?.CapacityType);
        var otherAccount = await cloud.LaunchAsync(Request(Region, OnDemand("m5.large")) with { Account = "444455556666" });
        Assert.NotNull(otherAccount.Instance);

        await cloud.TerminateAsync(Region, second.Id);
        Assert.Null((await cloud.LaunchAsync(Request(Region, OnDemand("m5.large")))).Instance);
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.NotNull((await cloud.LaunchAsync(Request(Region, OnDemand("m5.large")))).Instance);
    }

    [Fact]
    public async Task Without_a_quota_launches_are_unlimited()
    {
        var cloud = Create(Clock());

        for (var i = 0; i < 20; i++)
        {
            Assert.NotNull((await cloud.LaunchAsync(Request(Region, OnDemand("m5.24xlarge")))).Instance);
        }
    }

    private static async Task<bool> IsAvailable(SimulatedCloudProvider cloud, string type, string zone, string capacityType)
    {
        var catalog = await cloud.GetInstanceTypesAsync(Region);
        return catalog.InstanceTypes.Single(t => t.Name == type).Offerings.Single(o => o.Zone == zone && o.CapacityType == capacityType).Available;
    }

    [GeneratedRegex("^i-[0-9a-f]{17}$")]
    private static partial Regex InstanceId();
}
