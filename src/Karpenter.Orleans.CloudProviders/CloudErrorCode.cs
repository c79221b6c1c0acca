namespace Karpenter.Orleans.CloudProviders;

/// <summary>Why the cloud refused.</summary>
public enum CloudErrorCode
{
    InsufficientCapacity,
    QuotaExceeded,
    Unauthorized,
    InvalidRequest,
    NotFound,
    Throttled,
    Internal,
}
