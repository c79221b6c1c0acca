using Karpenter.Orleans.CloudProviders;

namespace Karpenter.Orleans.Grains.Telemetry;

/// <summary>
/// The <c>reason</c> label of <c>karpo_provisioning_attempts_total{result="failure"}</c>: what stopped the last
/// option a launch tried. The cloud's error codes (<see cref="CloudErrorCode"/> names) or one of these.
/// </summary>
public static class LaunchFailureReasons
{
    /// <summary>The account's vCPU quota ledger refused the hold.</summary>
    public const string QuotaExceeded = "QuotaExceeded";

    /// <summary>The cloud answered with an instance another NodeClaim holds.</summary>
    public const string InstanceConflict = "InstanceConflict";

    /// <summary>The claim had no option to try.</summary>
    public const string Unknown = "Unknown";

    /// <summary>Every value the label takes.</summary>
    public static IReadOnlySet<string> All { get; } =
        Enum.GetNames<CloudErrorCode>().Concat([QuotaExceeded, InstanceConflict, Unknown]).ToHashSet(StringComparer.Ordinal);
}
