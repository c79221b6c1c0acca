using Amazon.EC2.Model;
using Amazon.SQS.Model;

namespace Karpenter.Orleans.CloudProviders.Aws.Tests;

/// <summary>
/// Without <see cref="AwsProviderOptions.ServiceUrl"/>, the SDK's standard environment decides the endpoint:
/// <c>AWS_ENDPOINT_URL</c> (and the per-service <c>AWS_ENDPOINT_URL_EC2</c>, <c>AWS_ENDPOINT_URL_SQS</c>) as
/// the AWS CLI reads them, signed for the client's region. The variables are process-wide, so this class sets and restores them inside the
/// moto collection, which runs alone.
/// </summary>
[Collection(MotoCollection.Name)]
public sealed class AwsEndpointEnvironmentTests(MotoServer moto) : IAsyncLifetime
{
    private static readonly string[] Variables = ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_SQS", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];

    public Task InitializeAsync() => moto.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task AWS_ENDPOINT_URL_sends_both_clients_to_the_endpoint()
    {
        await WithEnvironmentAsync(new() { ["AWS_ENDPOINT_URL"] = moto.Endpoint }, async () =>
        {
            using var clients = new AwsClientFactory(new AwsProviderOptions(), MotoServer.Credentials);

            var zones = await clients.Ec2("eu-west-1").DescribeAvailabilityZonesAsync(new DescribeAvailabilityZonesRequest());
            var queue = await clients.Sqs("eu-west-1").CreateQueueAsync(new CreateQueueRequest { QueueName = "from-env" });

            // Signed for the client's region: moto answers with that region's zones.
            Assert.Contains("eu-west-1a", zones.AvailabilityZones.Select(z => z.ZoneName));
            Assert.Contains("from-env", queue.QueueUrl, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task A_per_service_variable_wins_over_the_general_one()
    {
        await WithEnvironmentAsync(new() { ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9", ["AWS_ENDPOINT_URL_EC2"] = moto.Endpoint }, async () =>
        {
            using var clients = new AwsClientFactory(new AwsProviderOptions(), MotoServer.Credentials);

            var zones = await clients.Ec2("us-west-2").DescribeAvailabilityZonesAsync(new DescribeAvailabilityZonesRequest());

            Assert.Contains("us-west-2a", zones.AvailabilityZones.Select(z => z.ZoneName));
        });
    }

    [Fact]
    public async Task Endpoint_and_credentials_from_the_environment_alone_are_enough()
    {
        await WithEnvironmentAsync(new()
        {
            ["AWS_ENDPOINT_URL"] = moto.Endpoint,
            ["AWS_ACCESS_KEY_ID"] = "testing",
            ["AWS_SECRET_ACCESS_KEY"] = "testing",
        }, async () =>
        {
            // As the silo makes it: options only, credentials from the SDK's chain.
            using var clients = new AwsClientFactory(new AwsProviderOptions());

            var zones = await clients.Ec2("us-east-1").DescribeAvailabilityZonesAsync(new DescribeAvailabilityZonesRequest());

            Assert.Contains("us-east-1a", zones.AvailabilityZones.Select(z => z.ZoneName));
        });
    }

    private static async Task WithEnvironmentAsync(Dictionary<string, string> values, Func<Task> test)
    {
        var saved = Variables.ToDictionary(v => v, Environment.GetEnvironmentVariable);
        try
        {
            foreach (var v in Variables)
            {
                Environment.SetEnvironmentVariable(v, values.GetValueOrDefault(v));
            }

            await test();
        }
        finally
        {
            foreach (var (v, value) in saved)
            {
                Environment.SetEnvironmentVariable(v, value);
            }
        }
    }
}
