namespace Karpenter.Orleans.CloudProviders.Aws.Instances;

/// <summary>What the service makes of EC2's error codes.</summary>
internal static class Ec2ErrorCodes
{
    // The fleet error codes Karpenter treats as "this offering cannot be filled now".
    private static readonly HashSet<string> Unfulfillable = new(StringComparer.Ordinal)
    {
        "InsufficientInstanceCapacity",
        "MaxSpotInstanceCountExceeded",
        "VcpuLimitExceeded",
        "UnfulfillableCapacity",
        "Unsupported",
        "InsufficientFreeAddressesInSubnet",
        "MaxFleetCountExceeded",
        "ReservationCapacityExceeded",
    };

    public static bool IsUnfulfillable(string? code) => code is not null && Unfulfillable.Contains(code);

    public static bool IsThrottle(string? code) => code is "RequestLimitExceeded" or "Throttling" or "ThrottlingException";

    public static bool IsNotFound(string? code) => code is "InvalidInstanceID.NotFound" or "InvalidInstanceID.Malformed";

    public static CloudErrorCode ToCloudErrorCode(string? code) => code switch
    {
        // The account's vCPU limits (on-demand, and spot, which EC2 reports as MaxSpotInstanceCountExceeded) are
        // quotas, not a lack of capacity in one offering: every type under the same quota hits them too, so the
        // offering is not marked unavailable; the quota ledger learns the limit instead.
        "VcpuLimitExceeded" or "MaxSpotInstanceCountExceeded" => CloudErrorCode.QuotaExceeded,
        _ when IsUnfulfillable(code) => CloudErrorCode.InsufficientCapacity,
        "UnauthorizedOperation" or "AuthFailure" or "OptInRequired" or "Blocked" or "PendingVerification" => CloudErrorCode.Unauthorized,
        _ when code is not null && code.StartsWith("AuthFailure", StringComparison.Ordinal) => CloudErrorCode.Unauthorized,
        _ when IsThrottle(code) => CloudErrorCode.Throttled,
        _ when code is not null && code.EndsWith(".NotFound", StringComparison.Ordinal) => CloudErrorCode.NotFound,
        _ when code is not null && code.EndsWith(".NotFoundException", StringComparison.Ordinal) => CloudErrorCode.NotFound,
        _ when code is not null && (code.StartsWith("Invalid", StringComparison.Ordinal) || code.StartsWith("Missing", StringComparison.Ordinal)) => CloudErrorCode.InvalidRequest,
        _ => CloudErrorCode.Internal,
    };
}
