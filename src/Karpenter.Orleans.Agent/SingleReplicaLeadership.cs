namespace Karpenter.Orleans.Agent;

/// <summary>
/// No leader election: this replica always acts. Only for an agent run as exactly one replica
/// (<c>Agent:LeaderElection:Enabled=false</c>); two replicas with it would both send and both carry out commands.
/// </summary>
public sealed class SingleReplicaLeadership : IAgentLeadership
{
    public async Task RunWhileLeaderAsync(Func<CancellationToken, Task> work, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        try
        {
            await work(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
