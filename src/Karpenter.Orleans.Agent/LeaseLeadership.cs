using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.Agent;

/// <summary>
/// Leader election on a coordination.k8s.io Lease (<see cref="AgentOptions.LeaseNamespace"/>/<see cref="AgentOptions.LeaseName"/>)
/// with KubernetesClient's <see cref="LeaderElector"/>: the work runs while this replica holds the Lease and its
/// token is cancelled the moment the Lease is lost; then the replica stands for election again.
/// </summary>
public sealed class LeaseLeadership : IAgentLeadership
{
    private readonly IKubernetes _kubernetes;
    private readonly AgentOptions _agent;
    private readonly LeaseLeadershipOptions _lease;
    private readonly ILogger<LeaseLeadership> _logger;

    public LeaseLeadership(IKubernetes kubernetes, IOptions<AgentOptions> agent, ILogger<LeaseLeadership> logger, IOptions<LeaseLeadershipOptions>? lease = null)
    {
        ArgumentNullException.ThrowIfNull(agent);
        _kubernetes = kubernetes;
        _agent = agent.Value;
        _lease = lease?.Value ?? new LeaseLeadershipOptions();
        _logger = logger;
        if (_lease.Validate() is { Count: > 0 } errors)
        {
            throw new ArgumentException(string.Join("; ", errors), nameof(lease));
        }

        Identity = _lease.Identity is { Length: > 0 } identity ? identity : DefaultIdentity();
    }

    /// <summary>This replica's name in the Lease's holderIdentity.</summary>
    public string Identity { get; }

    /// <summary>True while this replica holds the Lease.</summary>
    public bool IsLeader { get; private set; }

    /// <inheritdoc />
    public async Task RunWhileLeaderAsync(Func<CancellationToken, Task> work, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        while (!stoppingToken.IsCancellationRequested)
        {
            await RunOneTermAsync(work, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for the Lease, runs the work while it is held, returns once it is lost (or stopping).</summary>
    private async Task RunOneTermAsync(Func<CancellationToken, Task> work, CancellationToken stoppingToken)
    {
        var leaseLock = new LeaseLock(_kubernetes, _agent.LeaseNamespace, _agent.LeaseName, Identity);
        // The elector retries a failing Lease call quietly; say why (a missing namespace, RBAC) so nobody waits in the dark.
        leaseLock.OnHttpError += e => _logger.LogWarning("Lease {Namespace}/{Name}: {Status} {Message}", _agent.LeaseNamespace, _agent.LeaseName, e.Response?.StatusCode, e.Message);
        using var elector = new LeaderElector(new LeaderElectionConfig(leaseLock)
        {
            LeaseDuration = _lease.LeaseDuration,
            RenewDeadline = _lease.RenewDeadline,
            RetryPeriod = _lease.RetryPeriod,
        });
        using var term = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var gate = new object();
        Task? running = null;
        elector.OnStartedLeading += () =>
        {
            lock (gate)
            {
                IsLeader = true;
                _logger.LogInformation("{Identity} leads through Lease {Namespace}/{Name}", Identity, _agent.LeaseNamespace, _agent.LeaseName);
                running = Task.Run(() => work(term.Token), CancellationToken.None);
            }
        };
        elector.OnStoppedLeading += () =>
        {
            IsLeader = false;
            term.Cancel();
        };
        elector.OnError += e => _logger.LogWarning(e, "Leader election on Lease {Namespace}/{Name}", _agent.LeaseNamespace, _agent.LeaseName);

        try
        {
            await elector.RunUntilLeadershipLostAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the work is cancelled below.
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogWarning(e, "Leader election on Lease {Namespace}/{Name} failed; standing again", _agent.LeaseNamespace, _agent.LeaseName);
            await DelayAsync(_lease.RetryPeriod, stoppingToken).ConfigureAwait(false);
        }

        IsLeader = false;
        await term.CancelAsync().ConfigureAwait(false);
        Task? finished;
        lock (gate)
        {
            finished = running;
        }

        if (finished is not null)
        {
            try
            {
                await finished.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The work's own answer to losing the lease.
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _logger.LogError(e, "The agent's work failed while leading");
            }

            _logger.LogInformation("{Identity} no longer leads", Identity);
        }
    }

    private static async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>The pod's name, so the Lease says which replica leads; a machine name gets a random suffix so two processes on one machine differ.</summary>
    private static string DefaultIdentity() =>
        Environment.GetEnvironmentVariable("POD_NAME") is { Length: > 0 } pod
            ? pod
            : $"{Environment.MachineName}-{Guid.NewGuid().ToString("N")[..8]}";
}
