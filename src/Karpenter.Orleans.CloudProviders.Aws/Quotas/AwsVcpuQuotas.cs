using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.CloudProviders.Aws.Quotas;

/// <summary>
/// The account's EC2 vCPU quotas from configuration (<see cref="AwsProviderOptions.VcpuQuota"/>), since
/// Service Quotas is not asked: "on-demand" and "spot" are the Standard instance quotas (families A, C, D,
/// H, I, M, R, T, Z, where almost every NodePool launches), a Service Quotas code sets any other. The same
/// quota holds in every region, as EC2's defaults do; each region has its own ledger.
/// </summary>
public sealed class AwsVcpuQuotas(AwsProviderOptions options)
{
    /// <summary>The quotas by code, or null for an account these credentials are not (<see cref="AwsProviderOptions.Account"/>) or without any configured.</summary>
    public IReadOnlyDictionary<string, int>? For(string account, string region)
    {
        ArgumentException.ThrowIfNullOrEmpty(account);
        ArgumentException.ThrowIfNullOrEmpty(region);
        if (options.VcpuQuota.Count == 0 || options.Account is { Length: > 0 } own && own != account)
        {
            return null;
        }

        var quotas = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (key, vcpus) in options.VcpuQuota)
        {
            if (Code(key) is { } code)
            {
                quotas[code] = vcpus;
            }
        }

        return quotas;
    }

    /// <summary>The quota code a <see cref="AwsProviderOptions.VcpuQuota"/> key stands for, or null when it is neither a capacity type nor a code.</summary>
    public static string? Code(string key) => key switch
    {
        CapacityTypes.OnDemand => QuotaCodes.OnDemandStandard,
        CapacityTypes.Spot => QuotaCodes.SpotStandard,
        _ when QuotaCodes.All.Contains(key, StringComparer.Ordinal) => key,
        _ => null,
    };
}
