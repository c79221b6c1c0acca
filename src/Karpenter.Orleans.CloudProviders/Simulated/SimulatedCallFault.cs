namespace Karpenter.Orleans.CloudProviders.Simulated;

/// <summary>A fault kept with the cloud's state (so every process on the state file sees it): these calls fail until <see cref="Until"/>.</summary>
internal sealed class SimulatedCallFault
{
    public SimulatedCloudOperations Operations { get; set; }

    public CloudErrorCode Code { get; set; }

    public string Message { get; set; } = string.Empty;

    /// <summary>When the fault ends by itself; null for "until cleared".</summary>
    public DateTimeOffset? Until { get; set; }
}
