using Karpenter.Orleans.Agent.Kubernetes;
using Karpenter.Orleans.Agent.Service;
using Karpenter.Orleans.Agent.Streaming;
using Karpenter.Orleans.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Karpenter.Orleans.Agent;

/// <summary>
/// The agent's loop while this replica leads: watches the cluster and streams it to the service, and polls the
/// service for commands (carried out by <see cref="IClusterCommandHandler"/>, then acknowledged), NodeClaims
/// (<see cref="INodeClaimReconciler"/>) and NodePool and node class status with pending pods (<see cref="IClusterFeedback"/>).
/// A seam that is not registered is not polled (said once at start). Each term starts from a fresh list.
/// </summary>
public sealed class AgentWorker(IServiceProvider services, AgentOptions options, KarpoServiceClient service, ILoggerFactory loggers) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<AgentWorker>();

    /// <summary>The current term's streamer (null while not leading), for tests and diagnostics.</summary>
    public ClusterStreamer? Streamer { get; private set; }

    /// <summary>The current term's mirror of the cluster.</summary>
    public ClusterMirror? Mirror { get; private set; }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var leadership = services.GetService<IAgentLeadership>() ?? throw new InvalidOperationException(
            "leader election is on (Agent:LeaderElection:Enabled) but no Lease leadership is registered; set Agent:LeaderElection:Enabled=false to run a single replica");
        return leadership.RunWhileLeaderAsync(LeadAsync, stoppingToken);
    }

    private async Task LeadAsync(CancellationToken cancellationToken)
    {
        _logger.LogInformation("Leading for cluster {Cluster}: watching the cluster and streaming it to {Service}", options.ClusterId, options.ServiceUrl);
        var client = services.GetRequiredService<k8s.Kubernetes>();
        var mirror = new ClusterMirror(WatchedResource.All.Select(r => r.Kind));
        var streamer = new ClusterStreamer(mirror, service, options, loggers.CreateLogger<ClusterStreamer>());
        Mirror = mirror;
        Streamer = streamer;
        var watcherLog = loggers.CreateLogger<ResourceWatcher>();
        var work = WatchedResource.All.Select(r => new ResourceWatcher(r, client, mirror, options, watcherLog).RunAsync(cancellationToken)).ToList();
        work.Add(streamer.RunAsync(cancellationToken));

        if (services.GetService<IClusterCommandHandler>() is { } handler)
        {
            work.Add(PollAsync("commands", options.CommandPollInterval, ct => CommandsAsync(handler, ct), cancellationToken));
        }
        else
        {
            _logger.LogWarning("No command handler is registered: the service's commands are not carried out");
        }

        if (services.GetService<INodeClaimReconciler>() is { } reconciler)
        {
            work.Add(PollAsync("nodeclaims", options.NodeClaimPollInterval, async ct => await reconciler.ReconcileAsync(await service.GetNodeClaimsAsync(ct), ct), cancellationToken));
        }
        else
        {
            _logger.LogWarning("No NodeClaim reconciler is registered: NodeClaim objects are not kept in the cluster");
        }

        if (services.GetService<IClusterFeedback>() is { } feedback)
        {
            work.Add(PollAsync("feedback", options.FeedbackPollInterval, async ct => await feedback.PublishAsync(
                new ClusterFeedbackInput(await service.GetNodePoolsAsync(ct), await service.GetPendingAsync(ct))
                {
                    NodeClaims = await service.GetNodeClaimsAsync(ct),
                    NodeClasses = await NodeClassesAsync(ct),
                    Mirror = mirror,
                    Refused = streamer.Refused,
                },
                ct), cancellationToken));
        }
        else
        {
            _logger.LogWarning("No cluster feedback is registered: NodePool status and pod Events are not written");
        }

        try
        {
            await Task.WhenAll(work);
        }
        finally
        {
            Streamer = null;
            Mirror = null;
        }
    }

    /// <summary>The service's node classes; null when it could not say (the rest of the feedback is still written).</summary>
    private async Task<IReadOnlyList<NodeClassInfo>?> NodeClassesAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await service.GetNodeClassesAsync(cancellationToken);
        }
        catch (ServiceRequestException exception)
        {
            _logger.LogDebug("No node classes from the service this time: {Error}", exception.Message);
            return null;
        }
    }

    private async Task CommandsAsync(IClusterCommandHandler handler, CancellationToken cancellationToken)
    {
        var commands = await service.GetCommandsAsync(cancellationToken);
        if (commands.Count == 0)
        {
            return;
        }

        var acks = new List<CommandAck>(commands.Count);
        foreach (var command in commands)
        {
            try
            {
                acks.Add(await handler.HandleAsync(command, cancellationToken));
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Unacknowledged, the command comes again at the next poll.
                _logger.LogWarning("Command {Id} ({Kind} on {Node}) failed: {Error}", command.Id, command.Kind, command.Node, exception.Message);
            }
        }

        if (acks.Count > 0)
        {
            await service.AcknowledgeAsync(acks, cancellationToken);
        }
    }

    private async Task PollAsync(string name, TimeSpan interval, Func<CancellationToken, Task> poll, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            do
            {
                try
                {
                    await poll(cancellationToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    _logger.LogWarning("Polling {Poll} failed: {Error}; next try in {Interval}", name, exception.Message, interval);
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The term ended.
        }
    }
}
