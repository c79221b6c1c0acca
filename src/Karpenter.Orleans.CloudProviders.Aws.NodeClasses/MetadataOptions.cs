namespace Karpenter.Orleans.CloudProviders.Aws.NodeClasses;

/// <summary>The instance metadata service options; <see cref="Default"/> is the CRD's default (IMDSv2 only, one hop).</summary>
public sealed record MetadataOptions(string HttpEndpoint, string HttpProtocolIpv6, int HttpPutResponseHopLimit, string HttpTokens)
{
    public static MetadataOptions Default { get; } = new("enabled", "disabled", 1, "required");
}
