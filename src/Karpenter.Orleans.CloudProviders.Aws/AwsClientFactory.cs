using Amazon.EC2;
using Amazon.Runtime;
using Amazon.SQS;

namespace Karpenter.Orleans.CloudProviders.Aws;

/// <summary>
/// Makes one EC2 and one SQS client per region and keeps them. With <see cref="AwsProviderOptions.ServiceUrl"/>
/// set, requests go there and are signed for the region (never <c>RegionEndpoint</c>, which would win over
/// the URL). Without it, <c>AWS_ENDPOINT_URL_EC2</c> / <c>AWS_ENDPOINT_URL_SQS</c>, else <c>AWS_ENDPOINT_URL</c>,
/// are read here and used the same way: the SDK (AWSSDK.Core 4.1) honours them itself but then signs every
/// request for us-east-1, whatever the client's region. <see cref="HttpHandler"/> sits in front of the SDK's HTTP layer so tests can inject the errors
/// EC2 returns (capacity, throttling, permissions) into real SDK calls.
/// </summary>
public sealed class AwsClientFactory : IDisposable
{
    private readonly AwsProviderOptions _options;
    private readonly AWSCredentials? _credentials;
    private readonly Dictionary<string, IAmazonEC2> _ec2 = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IAmazonSQS> _sqs = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public AwsClientFactory(AwsProviderOptions options, AWSCredentials? credentials = null, Func<DelegatingHandler>? httpHandler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _credentials = credentials;
        HttpHandler = httpHandler;
    }

    /// <summary>Makes the handler put in front of each client's HTTP pipeline; null for none.</summary>
    public Func<DelegatingHandler>? HttpHandler { get; }

    public IAmazonEC2 Ec2(string region)
    {
        ArgumentException.ThrowIfNullOrEmpty(region);
        lock (_lock)
        {
            if (!_ec2.TryGetValue(region, out var client))
            {
                var config = new AmazonEC2Config();
                Configure(config, region, "EC2");
                client = _credentials is null ? new AmazonEC2Client(config) : new AmazonEC2Client(_credentials, config);
                _ec2[region] = client;
            }

            return client;
        }
    }

    public IAmazonSQS Sqs(string region)
    {
        ArgumentException.ThrowIfNullOrEmpty(region);
        lock (_lock)
        {
            if (!_sqs.TryGetValue(region, out var client))
            {
                var config = new AmazonSQSConfig();
                Configure(config, region, "SQS");
                client = _credentials is null ? new AmazonSQSClient(config) : new AmazonSQSClient(_credentials, config);
                _sqs[region] = client;
            }

            return client;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var client in _ec2.Values)
            {
                client.Dispose();
            }

            foreach (var client in _sqs.Values)
            {
                client.Dispose();
            }

            _ec2.Clear();
            _sqs.Clear();
        }
    }

    private void Configure(ClientConfig config, string region, string service)
    {
        if ((NonEmpty(_options.ServiceUrl) ?? ConfiguredEndpoint(service)) is { } url)
        {
            config.ServiceURL = url;
            config.AuthenticationRegion = region;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(region);
        }

        // The resilience pipeline around each call owns retries, so one throttled call is not retried by
        // the SDK and again by the pipeline.
        config.MaxErrorRetry = 0;
        if (HttpHandler is { } handler)
        {
            config.HttpClientFactory = new HandlerHttpClientFactory(handler);
        }
    }

    /// <summary>The endpoint the AWS SDKs' shared environment names for <paramref name="service"/>, unless <c>AWS_IGNORE_CONFIGURED_ENDPOINT_URLS</c> is true.</summary>
    private static string? ConfiguredEndpoint(string service) =>
        string.Equals(Environment.GetEnvironmentVariable("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true", StringComparison.OrdinalIgnoreCase)
            ? null
            : NonEmpty(Environment.GetEnvironmentVariable($"AWS_ENDPOINT_URL_{service}")) ?? NonEmpty(Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL"));

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private sealed class HandlerHttpClientFactory(Func<DelegatingHandler> handler) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig)
        {
            var outer = handler();
            outer.InnerHandler = new HttpClientHandler();
            return new HttpClient(outer) { Timeout = clientConfig.Timeout ?? TimeSpan.FromSeconds(100) };
        }

        // Each client gets its own HttpClient, so the handler sees every call of that client.
        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

        public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

        public override string? GetConfigUniqueString(IClientConfig clientConfig) => null;
    }
}
