using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Agent;

/// <summary>
/// Carries out one command from the service's command channel against the cluster's API server and says how
/// it went. Must be idempotent: after a restart or a change of leader the service delivers an unacknowledged
/// command again with the same id, and a command whose work is already done answers <see cref="CommandOutcome.Done"/>.
/// </summary>
public interface IClusterCommandHandler
{
    Task<CommandAck> HandleAsync(ClusterCommand command, CancellationToken cancellationToken);
}
