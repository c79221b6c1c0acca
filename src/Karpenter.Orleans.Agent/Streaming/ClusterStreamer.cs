using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Agent.Service;
using Microsoft.Extensions.Logging;

namespace Karpenter.Orleans.Agent.Streaming;

/// <summary>
/// Sends the <see cref="ClusterMirror"/> to the service: a snapshot first, then batches of deltas (up to
/// <see cref="AgentOptions.BatchSize"/>, after waiting <see cref="AgentOptions.BatchDelay"/> for a burst to
/// gather). When a send fails the service's view is unknown, so the streamer starts a new session and, once the
/// service answers again, sends a snapshot of everything held; the watches go on meanwhile and the mirror keeps
/// only each object's latest state. ResyncRequired in an answer also gets a snapshot.
/// </summary>
public sealed class ClusterStreamer(ClusterMirror mirror, KarpoServiceClient service, AgentOptions options, ILogger<ClusterStreamer> logger)
{
    /// <summary>The current agent session: new at start and after every failed send.</summary>
    public string Session { get; private set; } = NewSession();

    /// <summary>The objects the service refused in its last answers, with why.</summary>
    public RefusedObjects Refused { get; } = new();

    /// <summary>How many snapshots the service accepted.</summary>
    public int Snapshots { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await mirror.WaitForChangeAsync(cancellationToken);
                if (options.BatchDelay > TimeSpan.Zero && mirror.PendingCount < options.BatchSize)
                {
                    await Task.Delay(options.BatchDelay, cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            var next = mirror.Take(Session, options.BatchSize);
            if (next is null)
            {
                continue;
            }

            try
            {
                var result = next switch
                {
                    ClusterSnapshot snapshot => await service.PutStateAsync(snapshot, cancellationToken),
                    DeltaBatch batch => await service.PostDeltasAsync(batch, cancellationToken),
                    _ => throw new InvalidOperationException($"the mirror answered a {next.GetType().Name}"),
                };
                if (next is ClusterSnapshot sent)
                {
                    Snapshots++;
                    logger.LogInformation(
                        "Sent a snapshot of {Count} objects (session {Session}, sequence {Sequence}){Reconnected}",
                        sent.Objects.Count, Session, sent.Sequence, failures > 0 ? " after the service was unreachable" : string.Empty);
                }

                failures = 0;
                if (next is ClusterSnapshot)
                {
                    Refused.Snapshot(mirror.SnapshotKeys, result.Errors);
                }
                else if (next is DeltaBatch deltas)
                {
                    Refused.Deltas(deltas.Deltas, result.Errors);
                }

                Report(result);
                if (result.ResyncRequired)
                {
                    logger.LogInformation("The service asked for a snapshot (its last sequence is {Sequence})", result.LastSequence);
                    mirror.RequireSnapshot();
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is ServiceRequestException or InvalidOperationException)
            {
                // What was taken may or may not have been applied: only a snapshot says for sure what the service holds.
                failures++;
                Session = NewSession();
                mirror.RequireSnapshot();
                var delay = Backoff.Delay(options.ServiceRetryDelay, options.MaxRetryDelay, failures);
                logger.LogWarning("{Error}; the cluster is still watched, a snapshot follows when the service answers (next try in {Delay})", exception.Message, delay);
                try
                {
                    await Task.Delay(delay, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void Report(SyncResult result)
    {
        if (result.Errors.Count > 0)
        {
            // The service refused some objects (it names them); the rest of the stream goes on.
            logger.LogWarning(
                "The service refused {Count} objects, first: {First}", result.Errors.Count, result.Errors[0]);
        }
    }

    private static string NewSession() => Guid.NewGuid().ToString("n");
}
