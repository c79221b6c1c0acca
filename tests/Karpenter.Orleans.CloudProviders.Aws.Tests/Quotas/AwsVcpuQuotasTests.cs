using Karpenter.Orleans.CloudProviders.Aws.Quotas;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.CloudProviders.Aws.Tests.Quotas;

/// <summary>The configured vCPU quotas reach the ledger under the codes launches reserve against, for the account of the credentials only.</summary>
public sealed class AwsVcpuQuotasTests
{
    [Fact]
    public void Capacity_types_set_the_standard_quotas_and_codes_set_their_own()
    {
        var quotas = new AwsVcpuQuotas(new AwsProviderOptions
        {
            VcpuQuota = { ["on-demand"] = 256, ["spot"] = 128, [QuotaCodes.OnDemandGpuG] = 32 },
        });

        var limits = quotas.For("123456789012", "us-east-1");

        Assert.NotNull(limits);
        Assert.Equal(
            new Dictionary<string, int> { [QuotaCodes.OnDemandStandard] = 256, [QuotaCodes.SpotStandard] = 128, [QuotaCodes.OnDemandGpuG] = 32 },
            limits);
        // The ledger reserves a launch under the code of its type and capacity type; these are the ones.
        Assert.Equal(QuotaCodes.OnDemandStandard, QuotaCodes.For("m5.large", "on-demand"));
        Assert.Equal(QuotaCodes.SpotStandard, QuotaCodes.For("c6g.xlarge", "spot"));
    }

    [Fact]
    public void Without_configured_quotas_the_provider_cannot_say()
    {
        Assert.Null(new AwsVcpuQuotas(new AwsProviderOptions()).For("123456789012", "us-east-1"));
    }

    [Fact]
    public void Another_account_than_the_credentials_gets_no_quota_of_theirs()
    {
        var quotas = new AwsVcpuQuotas(new AwsProviderOptions { Account = "123456789012", VcpuQuota = { ["on-demand"] = 64 } });

        Assert.Null(quotas.For("444455556666", "us-east-1"));
        Assert.NotNull(quotas.For("123456789012", "us-east-1"));
    }

    [Fact]
    public async Task A_launch_for_another_account_than_the_credentials_is_refused_naming_both()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ServiceUrl"] = "http://127.0.0.1:9",
            ["Account"] = "123456789012",
        }).Build();
        using var services = new ServiceCollection().AddLogging().AddAwsCloud(configuration).BuildServiceProvider();
        var provider = services.GetServices<ICloudProvider>().Single(p => p.Name == "aws");
        var request = new LaunchRequest("us-east-1", "444455556666", "prod", "default-x1", "default",
            [new LaunchOffering("m5.large", "us-east-1a", "on-demand", 0.096)], new Dictionary<string, string>(), "token-1");

        var e = await Assert.ThrowsAsync<CloudProviderException>(() => provider.LaunchAsync(request));

        Assert.Equal(CloudErrorCode.InvalidRequest, e.Code);
        Assert.Contains("'444455556666'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'123456789012' (Karpo:Aws:Account)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_interruption_and_quota_settings_are_refused_at_start_naming_the_setting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["VcpuQuota:gpu"] = "8",
            ["VcpuQuota:spot"] = "-1",
            ["InterruptionQueueWaitTime"] = "00:00:30",
            ["InterruptionQueues:us-east-1"] = " ",
        }).Build();
        using var services = new ServiceCollection().AddAwsCloud(configuration).BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<AwsProviderOptions>>().Value);

        Assert.Equal(
            [
                "Karpo:Aws:InterruptionQueueWaitTime must be between 0 and 20 seconds, the SQS long-poll limit (got 00:00:30).",
                "Karpo:Aws:InterruptionQueues:us-east-1 is empty; give the queue's name or URL, or leave the region out.",
                $"Karpo:Aws:VcpuQuota: unknown key 'gpu'; expected on-demand, spot or a Service Quotas code ({string.Join(", ", QuotaCodes.All)}).",
                "Karpo:Aws:VcpuQuota:spot: -1 is negative; leave it out for no quota.",
            ],
            e.Failures);
    }
}
