namespace Karpenter.Orleans.Agent;

/// <summary>
/// Runs the agent's work only while this replica holds the cluster's leader Lease, so of two replicas one
/// acts. The work's token is cancelled when leadership is lost; the call returns when
/// the stopping token is cancelled.
/// </summary>
public interface IAgentLeadership
{
    Task RunWhileLeaderAsync(Func<CancellationToken, Task> work, CancellationToken stoppingToken);
}
