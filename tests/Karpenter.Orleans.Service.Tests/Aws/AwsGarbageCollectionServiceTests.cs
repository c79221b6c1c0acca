using Amazon.EC2.Model;
using k8s.Models;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.CloudProviders.Aws.Tests;
using Karpenter.Orleans.Service.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Karpenter.Orleans.Service.Tests.Aws;

/// <summary>
/// Karpenter's garbage collection on the AWS provider against moto: an instance tagged for the cluster whose
/// NodeClaim does not exist is terminated once older than the grace period (never before, and never a claimed
/// one), and a claim whose instance was terminated outside the service ends.
/// </summary>
[Collection(AwsServiceCollection.Name)]
public sealed class AwsGarbageCollectionServiceTests(MotoServer moto) : IAsyncLifetime
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
    public async Task A_tagged_instance_without_a_NodeClaim_is_terminated_after_the_grace_period_and_a_claimed_one_is_kept()
    {
        // EC2 stamps launch times with the real clock, so the service's clock starts there.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var service = await ServiceCluster.StartAsync(clock: clock, services: s => s.AddSingleton<ICloudProvider>(_aws.Cloud));
        var cluster = await RegisterAsync(service.Grains, "gc-orphan", TestObjects.Pod("web-0", "1", "2Gi"));
        await cluster.ProvisionAsync();
        var claimed = await LaunchedAsync(cluster);

        // What a crash between CreateFleet and storing the claim leaves behind: an instance with the cluster's tags and no claim.
        var orphan = await _aws.Cloud.LaunchAsync(AwsLaunchHarness.Request("gc-orphan", nodeClaim: "default-ghost", nodePool: "default",
            offerings: AwsLaunchHarness.OnDemand("m5.large", "us-east-1b")));
        var orphanId = orphan.Instance!.Id;

        clock.Advance(TimeSpan.FromSeconds(5));
        await cluster.ReconcileAsync();
        Assert.Equal("running", (await _aws.DescribeAsync(orphanId)).State.Name.Value);

        clock.Advance(TimeSpan.FromMinutes(1));
        await cluster.ReconcileAsync();
        Assert.Contains((await _aws.DescribeAsync(orphanId)).State.Name.Value, new[] { "shutting-down", "terminated" });
        Assert.Equal("running", (await _aws.DescribeAsync(claimed.InstanceId!)).State.Name.Value);
        Assert.Contains(await cluster.GetNodeClaimsAsync(), c => c.Name == claimed.Name && c.IsLive);
    }

    [Fact]
    public async Task A_claim_whose_instance_was_terminated_outside_the_service_ends()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var service = await ServiceCluster.StartAsync(clock: clock, services: s => s.AddSingleton<ICloudProvider>(_aws.Cloud));
        var cluster = await RegisterAsync(service.Grains, "gc-vanished", TestObjects.Pod("web-0", "1", "2Gi"));
        await cluster.ProvisionAsync();
        var claim = await LaunchedAsync(cluster);

        await _aws.Ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [claim.InstanceId!] });
        var info = await service.Grains.GetGrain<INodeClaimGrain>($"gc-vanished/{claim.Name}").ReconcileAsync();

        Assert.Equal(NodeClaimPhase.Terminated, info!.Phase);
        Assert.Contains("terminated outside", info.Reason, StringComparison.Ordinal);
    }

    private Task<IClusterGrain> RegisterAsync(IGrainFactory grains, string cluster, params V1Pod[] pods) =>
        AwsNodeClassSetup.RegisterAsync(grains, _aws, cluster, pods);

    private static async Task<NodeClaimInfo> LaunchedAsync(IClusterGrain cluster)
    {
        IReadOnlyList<NodeClaimInfo> claims = [];
        for (var attempt = 0; attempt < 200; attempt++)
        {
            claims = await cluster.GetNodeClaimsAsync();
            if (claims.FirstOrDefault(c => c.Phase == NodeClaimPhase.Launched) is { } launched)
            {
                return launched;
            }

            await Task.Delay(100);
        }

        Assert.Fail("no NodeClaim launched: " + string.Join("; ", claims.Select(c => $"{c.Name} {c.Phase} {c.Reason}")) + " pending: " +
            string.Join("; ", (await cluster.GetPendingPodsAsync()).Select(p => p.Reason)));
        return null!;
    }
}
