using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.CloudProviders.Tests;

/// <summary>
/// What every <see cref="ICloudProvider"/> must do, whatever cloud is behind it. A provider's test
/// class derives from this and supplies the provider and its fault-injection hooks; the tests use
/// fresh cluster ids and client tokens so they can also run against a shared, real account.
/// </summary>
public abstract class CloudProviderContractTests
{
    protected abstract ICloudProvider Provider { get; }

    protected abstract string Region { get; }

    protected virtual string Account => "111122223333";

    /// <summary>Makes launches on <paramref name="offering"/> fail for lack of capacity.</summary>
    protected abstract void InjectInsufficientCapacity(LaunchOffering offering);

    /// <summary>Makes every call fail the way a missing IAM permission does.</summary>
    protected abstract void DenyPermissions();

    [Fact]
    public async Task Launch_uses_the_first_offering_when_it_can_be_filled()
    {
        var offerings = await OfferingsAsync(2);
        var cluster = NewCluster();

        var result = await Provider.LaunchAsync(Request(offerings, cluster, nodeClaim: "claim-1", nodePool: "general"));

        Assert.Empty(result.Failures);
        var instance = Assert.IsType<CloudInstance>(result.Instance);
        Assert.Equal(offerings[0].InstanceType, instance.InstanceType);
        Assert.Equal(offerings[0].Zone, instance.Zone);
        Assert.Equal(offerings[0].CapacityType, instance.CapacityType);
        Assert.Equal(Region, instance.Region);
        Assert.Equal(cluster, instance.ClusterId);
        Assert.Equal("claim-1", instance.NodeClaim);
        Assert.Equal("general", instance.NodePool);
        Assert.EndsWith($"/{instance.Zone}/{instance.Id}", instance.ProviderId, StringComparison.Ordinal);
        Assert.Contains(instance.State, new[] { CloudInstanceState.Pending, CloudInstanceState.Running });
        Assert.True(instance.PricePerHour > 0);

        var fetched = await Provider.GetAsync(Region, instance.Id);
        Assert.Equal(instance.Id, fetched?.Id);
    }

    [Fact]
    public async Task The_same_client_token_returns_the_same_instance_and_makes_no_second_one()
    {
        var offerings = await OfferingsAsync(1);
        var cluster = NewCluster();
        var request = Request(offerings, cluster);

        var first = await Provider.LaunchAsync(request);
        var second = await Provider.LaunchAsync(request);

        Assert.NotNull(first.Instance);
        Assert.Equal(first.Instance.Id, second.Instance?.Id);
        Assert.Single(await Provider.ListAsync(Region, cluster));
    }

    [Fact]
    public async Task The_client_token_of_a_terminated_instance_still_returns_that_instance()
    {
        var offerings = await OfferingsAsync(1);
        var cluster = NewCluster();
        var request = Request(offerings, cluster);
        var first = await Provider.LaunchAsync(request);
        Assert.NotNull(first.Instance);

        await Provider.TerminateAsync(Region, first.Instance.Id);
        var again = await Provider.LaunchAsync(request);

        Assert.Equal(first.Instance.Id, again.Instance?.Id);
        Assert.DoesNotContain(await Provider.ListAsync(Region, cluster), i => i.State is CloudInstanceState.Pending or CloudInstanceState.Running);
    }

    [Fact]
    public async Task Insufficient_capacity_falls_through_to_the_next_offering_and_is_reported()
    {
        var offerings = await OfferingsAsync(2);
        InjectInsufficientCapacity(offerings[0]);

        var result = await Provider.LaunchAsync(Request(offerings, NewCluster()));

        Assert.Equal(offerings[1].InstanceType, result.Instance?.InstanceType);
        Assert.Equal(offerings[1].Zone, result.Instance?.Zone);
        var failure = Assert.Single(result.Failures);
        Assert.Equal(offerings[0], failure.Offering);
        Assert.Equal(CloudErrorCode.InsufficientCapacity, failure.Code);
        Assert.False(string.IsNullOrWhiteSpace(failure.Message));
    }

    [Fact]
    public async Task A_launch_that_fails_on_every_offering_returns_no_instance_and_every_failure()
    {
        var offerings = await OfferingsAsync(2);
        InjectInsufficientCapacity(offerings[0]);
        InjectInsufficientCapacity(offerings[1]);
        var cluster = NewCluster();

        var result = await Provider.LaunchAsync(Request(offerings, cluster));

        Assert.Null(result.Instance);
        Assert.Equal(offerings, result.Failures.Select(f => f.Offering));
        Assert.All(result.Failures, f => Assert.Equal(CloudErrorCode.InsufficientCapacity, f.Code));
        Assert.Empty(await Provider.ListAsync(Region, cluster));
    }

    [Fact]
    public async Task List_returns_the_instances_of_one_cluster_only()
    {
        var offerings = await OfferingsAsync(1);
        var mine = NewCluster();
        var theirs = NewCluster();
        var a = await Provider.LaunchAsync(Request(offerings, mine));
        var b = await Provider.LaunchAsync(Request(offerings, mine));
        var c = await Provider.LaunchAsync(Request(offerings, theirs));

        var listed = await Provider.ListAsync(Region, mine);

        Assert.Equal(
            new[] { a.Instance!.Id, b.Instance!.Id }.Order(StringComparer.Ordinal),
            listed.Select(i => i.Id).Order(StringComparer.Ordinal));
        Assert.Equal(c.Instance!.Id, Assert.Single(await Provider.ListAsync(Region, theirs)).Id);
    }

    [Fact]
    public async Task Terminate_is_idempotent_and_ignores_unknown_instances()
    {
        var offerings = await OfferingsAsync(1);
        var launched = await Provider.LaunchAsync(Request(offerings, NewCluster()));
        var id = launched.Instance!.Id;

        await Provider.TerminateAsync(Region, id);
        await Provider.TerminateAsync(Region, id);
        await Provider.TerminateAsync(Region, "i-0000000000000dead");

        var after = await Provider.GetAsync(Region, id);
        Assert.True(after is null || after.State is CloudInstanceState.ShuttingDown or CloudInstanceState.Terminated, $"state {after?.State}");
    }

    [Fact]
    public async Task Get_of_an_unknown_instance_is_null()
    {
        Assert.Null(await Provider.GetAsync(Region, "i-0123456789abcdef0"));
    }

    [Fact]
    public async Task A_launch_without_offerings_is_an_invalid_request()
    {
        var ex = await Assert.ThrowsAsync<CloudProviderException>(() => Provider.LaunchAsync(Request([], NewCluster())));
        Assert.Equal(CloudErrorCode.InvalidRequest, ex.Code);
    }

    [Fact]
    public async Task Calls_without_permission_throw_Unauthorized()
    {
        var offerings = await OfferingsAsync(1);
        DenyPermissions();

        var launch = await Assert.ThrowsAsync<CloudProviderException>(() => Provider.LaunchAsync(Request(offerings, NewCluster())));
        var list = await Assert.ThrowsAsync<CloudProviderException>(() => Provider.ListAsync(Region, NewCluster()));

        Assert.Equal(CloudErrorCode.Unauthorized, launch.Code);
        Assert.Equal(CloudErrorCode.Unauthorized, list.Code);
    }

    [Fact]
    public async Task Instance_types_have_priced_offerings_in_the_zones_of_the_region()
    {
        var catalog = await Provider.GetInstanceTypesAsync(Region);

        Assert.NotEmpty(catalog.Zones);
        Assert.NotEmpty(catalog.InstanceTypes);
        var offerings = catalog.InstanceTypes.SelectMany(t => t.Offerings).ToList();
        Assert.NotEmpty(offerings);
        Assert.All(offerings, o =>
        {
            Assert.Contains(o.Zone, catalog.Zones);
            Assert.Contains(o.CapacityType, CapacityTypes.All);
            Assert.True(o.Price >= 0);
        });
    }

    /// <summary>
    /// The first <paramref name="count"/> available on-demand offerings of distinct types with at least
    /// two vCPUs in the first zone of the region, cheapest first: the kind of list a provisioner sends.
    /// </summary>
    protected virtual async Task<IReadOnlyList<LaunchOffering>> OfferingsAsync(int count)
    {
        var catalog = await Provider.GetInstanceTypesAsync(Region);
        var zone = catalog.Zones[0];
        var picked = catalog.InstanceTypes
            .Where(t => t.Allocatable.MilliCpu >= 1500)
            .SelectMany(t => t.Offerings
                .Where(o => o.Available && o.Zone == zone && o.CapacityType == CapacityTypes.OnDemand)
                .Select(o => new LaunchOffering(t.Name, o.Zone, o.CapacityType, o.Price)))
            .OrderBy(o => o.PricePerHour)
            .ThenBy(o => o.InstanceType, StringComparer.Ordinal)
            .Take(count)
            .ToList();
        Assert.Equal(count, picked.Count);
        return picked;
    }

    protected LaunchRequest Request(IReadOnlyList<LaunchOffering> offerings, string cluster, string? token = null, string nodeClaim = "claim", string nodePool = "default") =>
        new(Region, Account, cluster, nodeClaim, nodePool, offerings,
            new Dictionary<string, string>(StringComparer.Ordinal) { ["karpenter.sh/nodepool"] = nodePool },
            token ?? Guid.NewGuid().ToString("n"));

    protected static string NewCluster() => "contract-" + Guid.NewGuid().ToString("n")[..12];
}
