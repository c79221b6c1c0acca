using System.Text.RegularExpressions;
using Karpenter.Orleans.CloudProviders;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.Simulation;

/// <summary>
/// Checks <see cref="SimulatedFleetOptions"/> at start, naming the offending setting. Provider names are
/// checked against the registered providers when there are any (options read without a silo have none).
/// </summary>
internal sealed partial class SimulatedFleetOptionsValidator(ICloudProviders? providers = null) : IValidateOptions<SimulatedFleetOptions>
{
    public ValidateOptionsResult Validate(string? name, SimulatedFleetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        var section = SimulatedFleetOptions.SectionName;
        if (options.TickInterval <= TimeSpan.Zero)
        {
            failures.Add($"{section}:TickInterval must be positive (got {options.TickInterval}).");
        }

        // A period shorter than a few ticks would make the curve jump instead of rising and falling.
        if (options.WorkloadPeriod < options.TickInterval * 4)
        {
            failures.Add($"{section}:WorkloadPeriod must be at least four TickIntervals (got {options.WorkloadPeriod}).");
        }

        if (!Enum.IsDefined(options.Mode))
        {
            failures.Add($"{section}:Mode must be Kubernetes or InProcess (got {options.Mode}).");
        }

        if (options.ServiceUrl is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            failures.Add($"{section}:ServiceUrl must be an absolute http or https address (got {url}).");
        }

        if (!double.IsFinite(options.Scale) || options.Scale <= 0 || options.Scale > 1000)
        {
            failures.Add($"{section}:Scale must be in (0, 1000] (got {options.Scale}).");
        }

        if (string.IsNullOrWhiteSpace(options.Provider))
        {
            failures.Add($"{section}:Provider is required (a cloud provider name such as 'simulated' or 'aws').");
        }
        else if (Unknown(options.Provider) is { } known)
        {
            failures.Add($"{section}:Provider: no cloud provider named '{options.Provider}' (registered: {known}).");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Clusters.Count; i++)
        {
            var c = options.Clusters[i];
            var at = $"{section}:Clusters:{i}";
            if (c is null)
            {
                failures.Add($"{at} is empty.");
                continue;
            }

            // The id keys grains and becomes part of node names and metric labels: keep it a DNS label.
            if (string.IsNullOrEmpty(c.ClusterId) || !DnsLabel().IsMatch(c.ClusterId))
            {
                failures.Add($"{at}:ClusterId must be a DNS label (lowercase letters, digits, '-', at most 63) (got '{c.ClusterId}').");
            }
            else if (!seen.Add(c.ClusterId))
            {
                failures.Add($"{at}:ClusterId '{c.ClusterId}' appears twice.");
            }

            if (string.IsNullOrWhiteSpace(c.Region))
            {
                failures.Add($"{at}:Region is required.");
            }

            if (string.IsNullOrWhiteSpace(c.Provider))
            {
                failures.Add($"{at}:Provider is required.");
            }
            else if (Unknown(c.Provider) is { } known)
            {
                failures.Add($"{at}:Provider: no cloud provider named '{c.Provider}' (registered: {known}).");
            }

            if (string.IsNullOrWhiteSpace(c.Account))
            {
                failures.Add($"{at}:Account is required.");
            }

            if (c.SpendCapPerHour is { } cap && (!double.IsFinite(cap) || cap < 0))
            {
                failures.Add($"{at}:SpendCapPerHour must be a non-negative number (got {cap}).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The registered names, listed, when <paramref name="name"/> is not one of them; null when it is or nothing is registered.</summary>
    private string? Unknown(string name) =>
        providers is { Names.Count: > 0 } registered && !registered.Names.Contains(name)
            ? string.Join(", ", registered.Names.Order(StringComparer.Ordinal))
            : null;

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex DnsLabel();
}
