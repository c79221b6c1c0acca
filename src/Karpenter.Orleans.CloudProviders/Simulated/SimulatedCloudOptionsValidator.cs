using System.Globalization;
using System.Text.RegularExpressions;
using Karpenter.Orleans.Scheduling.Model;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.CloudProviders.Simulated;

/// <summary>Checks <see cref="SimulatedCloudOptions"/> at start, with one message per problem naming the option.</summary>
public sealed partial class SimulatedCloudOptionsValidator : IValidateOptions<SimulatedCloudOptions>
{
    public ValidateOptionsResult Validate(string? name, SimulatedCloudOptions options)
    {
        var problems = Problems(options);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    /// <summary>Every problem with <paramref name="options"/>; empty when they are usable.</summary>
    public static IReadOnlyList<string> Problems(SimulatedCloudOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var region in options.Regions)
        {
            if (string.IsNullOrWhiteSpace(region) || !RegionName().IsMatch(region))
            {
                problems.Add($"Regions: '{region}' is not a region name like us-east-1");
            }
            else if (!seen.Add(region))
            {
                problems.Add($"Regions: '{region}' is listed twice");
            }
        }

        SimulatedCatalogFile.Resolve(options.CatalogPath, out var catalogProblem);
        if (catalogProblem is not null)
        {
            problems.Add(catalogProblem);
        }

        if (options.BootDelay < TimeSpan.Zero)
        {
            problems.Add($"BootDelay: {options.BootDelay} is negative; use 0 or more (default 00:00:05)");
        }

        if (options.ShutdownDelay < TimeSpan.Zero)
        {
            problems.Add($"ShutdownDelay: {options.ShutdownDelay} is negative; use 0 or more (default 00:00:05)");
        }

        foreach (var (region, factor) in options.RegionPriceFactors.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!double.IsFinite(factor) || factor <= 0)
            {
                problems.Add($"RegionPriceFactors:{region}: {factor} is not a positive number");
            }
        }

        foreach (var (capacityType, vcpus) in options.VcpuQuota.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!CapacityTypes.All.Contains(capacityType, StringComparer.Ordinal))
            {
                problems.Add($"VcpuQuota: unknown capacity type '{capacityType}'; expected {string.Join(", ", CapacityTypes.All)}");
            }
            else if (vcpus < 0)
            {
                problems.Add($"VcpuQuota:{capacityType}: {vcpus} is negative; leave it out for no quota");
            }
        }

        if (!double.IsFinite(options.ScheduledChangesPerInstanceDay) || options.ScheduledChangesPerInstanceDay is < 0 or > 1)
        {
            problems.Add($"ScheduledChangesPerInstanceDay: {options.ScheduledChangesPerInstanceDay.ToString(CultureInfo.InvariantCulture)} is not a chance from 0 to 1; use 0 for no scheduled changes (default 0.02)");
        }

        if (options.ForgetTerminatedAfter < TimeSpan.Zero)
        {
            problems.Add($"ForgetTerminatedAfter: {options.ForgetTerminatedAfter} is negative; use 0 or more (default 01:00:00)");
        }

        if (options.StateFile is { } stateFile && string.IsNullOrWhiteSpace(stateFile))
        {
            problems.Add("StateFile: is blank; leave it out to keep state in memory only");
        }

        return problems;
    }

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex RegionName();
}
