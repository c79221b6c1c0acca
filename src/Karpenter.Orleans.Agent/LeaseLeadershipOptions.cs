namespace Karpenter.Orleans.Agent;

/// <summary>
/// Timing of the agent's leader election (configuration section <c>Agent:Lease</c>). The defaults are
/// controller-runtime's, which Karpenter runs with: a 15 s lease, renewed within 10 s, retried every 2 s.
/// </summary>
public sealed class LeaseLeadershipOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string Section = "Agent:Lease";

    /// <summary>How long a lease not renewed keeps other replicas waiting before they may take it.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the leader keeps trying to renew before it gives its leadership up.</summary>
    public TimeSpan RenewDeadline { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a replica tries to take or renew the lease.</summary>
    public TimeSpan RetryPeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>This replica's identity in the Lease; empty means the pod's name (env <c>POD_NAME</c>) or the machine name with a random suffix.</summary>
    public string? Identity { get; set; }

    /// <summary>The problems with these options, each naming its setting; empty when they work.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (RetryPeriod <= TimeSpan.Zero)
        {
            errors.Add($"{Section}:RetryPeriod must be positive");
        }

        if (RenewDeadline <= RetryPeriod)
        {
            errors.Add($"{Section}:RenewDeadline ({RenewDeadline}) must be longer than RetryPeriod ({RetryPeriod})");
        }

        if (LeaseDuration <= RenewDeadline)
        {
            errors.Add($"{Section}:LeaseDuration ({LeaseDuration}) must be longer than RenewDeadline ({RenewDeadline})");
        }

        return errors;
    }
}
