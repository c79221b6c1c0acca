namespace Karpenter.Orleans.CloudProviders.Aws;

/// <summary>
/// Settings of the AWS provider, section <c>Karpo:Aws</c>. Credentials, region and endpoint come from the
/// AWS SDK's standard chain (<c>AWS_ACCESS_KEY_ID</c>, <c>AWS_PROFILE</c>, instance roles,
/// <c>AWS_REGION</c>, <c>AWS_ENDPOINT_URL</c>); <see cref="ServiceUrl"/> overrides the endpoint for an
/// EC2-compatible server such as moto.
/// </summary>
public sealed class AwsProviderOptions
{
    public const string SectionName = "Karpo:Aws";

    /// <summary>
    /// Endpoint of an EC2-compatible server (EC2 and SQS on the same URL, as moto serves them). Null:
    /// <c>AWS_ENDPOINT_URL_EC2</c> / <c>AWS_ENDPOINT_URL_SQS</c> or <c>AWS_ENDPOINT_URL</c> when set (signed for
    /// the cluster's region), otherwise the region's AWS endpoint.
    /// </summary>
    public string? ServiceUrl { get; set; }

    /// <summary>The regions clusters may register in. Empty asks EC2 (DescribeRegions).</summary>
    public List<string> Regions { get; set; } = [];

    /// <summary>
    /// The account id the credentials belong to, when known. A cluster's account comes from its registration
    /// and keys the shared quota ledger; set, this refuses to launch for a cluster registered with another
    /// account (its instances would land in this one, counted in a ledger that is not this account's) and
    /// reports <see cref="VcpuQuota"/> for this account only. Null trusts the registration.
    /// </summary>
    public string? Account { get; set; }

    /// <summary>The shipped catalog whose on-demand prices (and published allocatable values) the provider starts from.</summary>
    public string? CatalogPath { get; set; }

    /// <summary>How often instance types, offerings and spot prices are described again (Karpenter: 12 h).</summary>
    public TimeSpan CatalogRefreshInterval { get; set; } = TimeSpan.FromHours(12);

    /// <summary>SQS queue (name or URL) carrying the region's EventBridge interruption events, by region. A region without one receives none.</summary>
    public Dictionary<string, string> InterruptionQueues { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// How long one receive waits for an interruption message (SQS long polling, 0 to 20 s; Karpenter: 20 s).
    /// A message that arrives ends the wait at once, so a long wait costs no latency, only fewer empty receives.
    /// </summary>
    public TimeSpan InterruptionQueueWaitTime { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The account's vCPU quotas, since Service Quotas is not asked: "on-demand" and "spot" set the Standard
    /// instance quotas, a Service Quotas code (L-1216C47A, ...) any other; the same in every region. They become
    /// the limits of each region's shared quota ledger. Empty: the ledger's configured default.
    /// </summary>
    public Dictionary<string, int> VcpuQuota { get; set; } = new(StringComparer.Ordinal);
}
