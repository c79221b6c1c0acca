using Amazon.EC2.Model;

namespace Karpenter.Orleans.CloudProviders.Aws.Tests;

/// <summary>The SDK clients reach the configured endpoint, signed for the region asked for, and pass through the injected HTTP handler.</summary>
[Collection(MotoCollection.Name)]
public sealed class AwsClientFactoryTests(MotoServer moto) : IAsyncLifetime
{
    public Task InitializeAsync() => moto.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("us-east-1", "us-east-1a")]
    [InlineData("eu-west-1", "eu-west-1a")]
    public async Task A_client_describes_the_zones_of_its_own_region(string region, string firstZone)
    {
        using var clients = new AwsClientFactory(moto.Options(region), MotoServer.Credentials);

        var zones = await clients.Ec2(region).DescribeAvailabilityZonesAsync(new DescribeAvailabilityZonesRequest());

        Assert.Equal(firstZone, zones.AvailabilityZones.Select(z => z.ZoneName).Order(StringComparer.Ordinal).First());
        Assert.Same(clients.Ec2(region), clients.Ec2(region));
    }

    [Fact]
    public async Task The_injected_handler_sees_each_call()
    {
        var seen = new List<string>();
        using var clients = new AwsClientFactory(moto.Options(), MotoServer.Credentials, () => new RecordingHandler(seen));

        await clients.Ec2("us-east-1").DescribeAvailabilityZonesAsync(new DescribeAvailabilityZonesRequest());

        Assert.Contains(seen, body => body.Contains("Action=DescribeAvailabilityZones", StringComparison.Ordinal));
    }

    private sealed class RecordingHandler(List<string> seen) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            seen.Add(request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken));
            return await base.SendAsync(request, cancellationToken);
        }
    }
}
