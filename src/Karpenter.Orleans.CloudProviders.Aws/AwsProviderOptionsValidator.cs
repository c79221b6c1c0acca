using Karpenter.Orleans.CloudProviders.Aws.Quotas;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.CloudProviders.Aws;

/// <summary>Checks the interruption and quota settings of <see cref="AwsProviderOptions"/> at start, naming the setting.</summary>
internal sealed class AwsProviderOptionsValidator : IValidateOptions<AwsProviderOptions>
{
    public ValidateOptionsResult Validate(string? name, AwsProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var section = AwsProviderOptions.SectionName;
        var failures = new List<string>();
        if (options.InterruptionQueueWaitTime < TimeSpan.Zero || options.InterruptionQueueWaitTime > TimeSpan.FromSeconds(20))
        {
            failures.Add($"{section}:InterruptionQueueWaitTime must be between 0 and 20 seconds, the SQS long-poll limit (got {options.InterruptionQueueWaitTime}).");
        }

        foreach (var (region, queue) in options.InterruptionQueues.OrderBy(q => q.Key, StringComparer.Ordinal))
        {
            if (string.IsNullOrWhiteSpace(queue))
            {
                failures.Add($"{section}:InterruptionQueues:{region} is empty; give the queue's name or URL, or leave the region out.");
            }
        }

        foreach (var (key, vcpus) in options.VcpuQuota.OrderBy(q => q.Key, StringComparer.Ordinal))
        {
            if (AwsVcpuQuotas.Code(key) is null)
            {
                failures.Add($"{section}:VcpuQuota: unknown key '{key}'; expected on-demand, spot or a Service Quotas code ({string.Join(", ", QuotaCodes.All)}).");
            }

            if (vcpus < 0)
            {
                failures.Add($"{section}:VcpuQuota:{key}: {vcpus} is negative; leave it out for no quota.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
