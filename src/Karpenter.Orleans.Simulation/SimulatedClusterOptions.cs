namespace Karpenter.Orleans.Simulation;

/// <summary>One simulated cluster of the fleet: its id and where its capacity is bought.</summary>
public sealed class SimulatedClusterOptions
{
    public string ClusterId { get; set; } = "";

    public string Region { get; set; } = "";

    /// <summary>The cloud provider the cluster registers with (an <c>ICloudProvider</c> name).</summary>
    public string Provider { get; set; } = "simulated";

    public string Account { get; set; } = "111111111111";

    public string? DisplayName { get; set; }

    /// <summary>Hourly spend ceiling registered with the cluster; null for none.</summary>
    public double? SpendCapPerHour { get; set; }
}
