using Amazon.EC2;
using Amazon.EC2.Model;
using Karpenter.Orleans.CloudProviders.Aws.InstanceTypes;
using Karpenter.Orleans.CloudProviders.Aws.Instances;
using Karpenter.Orleans.CloudProviders.Aws.Interruption;
using Karpenter.Orleans.CloudProviders.Aws.NodeClasses;
using Karpenter.Orleans.CloudProviders.Aws.Quotas;

namespace Karpenter.Orleans.CloudProviders.Aws.Tests;

/// <summary>An <see cref="AwsInstanceProvider"/> on moto with the fault injector in its HTTP layer, backoff delays of milliseconds and its log kept.</summary>
public sealed class AwsLaunchHarness : IDisposable
{
    public const string Region = "us-east-1";

    public static readonly AwsLaunchRetryOptions Retry = new() { MaxRetryAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) };

    public AwsLaunchHarness(MotoServer moto, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        var options = moto.Options(Region);
        Faults = new Ec2FaultInjector();
        Clients = new AwsClientFactory(options, MotoServer.Credentials, Faults.CreateHandler);

        // A second client without the injector, to look at what EC2 holds.
        Inspect = new AwsClientFactory(options, MotoServer.Credentials);
        var instanceTypes = new AwsInstanceTypeProvider(Clients, options, time, new Ec2Resilience(TimeProvider.System, Retry));
        var nodeClasses = new AwsNodeClassResolver(Clients);
        Instances = new AwsInstanceProvider(Clients, instanceTypes, nodeClasses, time, Retry, Log);
        Cloud = new AwsCloudProvider(instanceTypes, Instances, new AwsInterruptionQueue(Clients, options, time), new AwsVcpuQuotas(options), options, nodeClasses);
    }

    public Ec2FaultInjector Faults { get; }

    public ListLogger<AwsInstanceProvider> Log { get; } = new();

    public AwsClientFactory Clients { get; }

    public AwsClientFactory Inspect { get; }

    public AwsInstanceProvider Instances { get; }

    public AwsCloudProvider Cloud { get; }

    public IAmazonEC2 Ec2 => Inspect.Ec2(Region);

    public static LaunchRequest Request(string cluster, string? token = null, string nodeClaim = "claim-1", string nodePool = "general", params LaunchOffering[] offerings) =>
        new(Region, "123456789012", cluster, nodeClaim, nodePool, offerings,
            new Dictionary<string, string>(StringComparer.Ordinal) { ["team"] = "payments" },
            token ?? Guid.NewGuid().ToString("n"));

    public static LaunchOffering OnDemand(string type, string zone, double price = 0.1) => new(type, zone, "on-demand", price);

    public static LaunchOffering Spot(string type, string zone, double price = 0.04) => new(type, zone, "spot", price);

    public async Task<Instance> DescribeAsync(string id)
    {
        var response = await Ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [id] });
        return Assert.Single(response.Reservations.SelectMany(r => r.Instances));
    }

    public async Task<List<Instance>> DescribeAllAsync()
    {
        var response = await Ec2.DescribeInstancesAsync(new DescribeInstancesRequest());
        return [.. (response.Reservations ?? []).SelectMany(r => r.Instances ?? [])];
    }

    public void Dispose()
    {
        Clients.Dispose();
        Inspect.Dispose();
    }
}
