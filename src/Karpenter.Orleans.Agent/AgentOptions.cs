namespace Karpenter.Orleans.Agent;

/// <summary>
/// How one agent reaches its cluster and the service (configuration section <c>Agent</c>, environment
/// variables <c>Agent__ClusterId</c> and so on). The token is read from a file (a mounted Secret) so it never
/// appears in the environment, the command line or a log.
/// </summary>
public sealed class AgentOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string Section = "Agent";

    /// <summary>The cluster's id as registered with the service (<c>karpo cluster register</c>).</summary>
    public string ClusterId { get; set; } = string.Empty;

    /// <summary>The service's base address, for example <c>https://karpo.example.com</c>; the agent calls <c>/api/v1/clusters/{id}/...</c> under it.</summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary>A file holding the cluster's agent token (printed once by <c>karpo cluster register</c>).</summary>
    public string TokenFile { get; set; } = "/var/run/secrets/karpo/token";

    /// <summary>A kubeconfig to use instead of the in-cluster service account; empty means in-cluster.</summary>
    public string? Kubeconfig { get; set; }

    /// <summary>The namespace of the agent's leader-election Lease.</summary>
    public string LeaseNamespace { get; set; } = "karpo-system";

    /// <summary>The name of the agent's leader-election Lease.</summary>
    public string LeaseName { get; set; } = "karpo-agent";

    /// <summary>At most this many changes go in one delta batch.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>How long a change waits for others to share its batch.</summary>
    public TimeSpan BatchDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How often the agent asks the service for commands.</summary>
    public TimeSpan CommandPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the agent reconciles the cluster's NodeClaim objects with the service's NodeClaims.</summary>
    public TimeSpan NodeClaimPollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the agent publishes NodePool status and pod Events from the service's view.</summary>
    public TimeSpan FeedbackPollInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long one request to the service may take (a snapshot of a large cluster among them).</summary>
    public TimeSpan ServiceRequestTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>How often a failed request to the service is retried before the agent treats the service as unreachable.</summary>
    public int ServiceRetries { get; set; } = 4;

    /// <summary>The first retry's delay; later ones double (with jitter), as do the waits after the API server or the service failed, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan ServiceRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between attempts to reach the API server or the service.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one watch request asks the API server to stay open before it is renewed.</summary>
    public TimeSpan WatchTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often a resource whose CRD is not installed (karpenter.sh NodePools, EC2NodeClasses) is looked for again.</summary>
    public TimeSpan MissingResourceRetryInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The problems with these options, each naming its setting; empty when the agent can start.
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(ClusterId))
        {
            errors.Add($"{Section}:ClusterId is required: the cluster's id as registered with the service");
        }

        if (ServiceUrl is null)
        {
            errors.Add($"{Section}:ServiceUrl is required: the service's base address, for example https://karpo.example.com");
        }
        else if (!ServiceUrl.IsAbsoluteUri || (ServiceUrl.Scheme != Uri.UriSchemeHttps && ServiceUrl.Scheme != Uri.UriSchemeHttp))
        {
            errors.Add($"{Section}:ServiceUrl '{ServiceUrl}' must be an absolute http or https address");
        }

        if (string.IsNullOrWhiteSpace(TokenFile))
        {
            errors.Add($"{Section}:TokenFile is required: a file holding the cluster's agent token");
        }

        if (Kubeconfig is { Length: > 0 } kubeconfig && !File.Exists(kubeconfig))
        {
            errors.Add($"{Section}:Kubeconfig '{kubeconfig}' does not exist");
        }

        if (BatchSize is < 1 or > 5000)
        {
            errors.Add($"{Section}:BatchSize {BatchSize} must be from 1 to 5000");
        }

        if (ServiceRetries is < 0 or > 20)
        {
            errors.Add($"{Section}:ServiceRetries {ServiceRetries} must be from 0 to 20");
        }

        Interval(errors, nameof(BatchDelay), BatchDelay, TimeSpan.Zero);
        Interval(errors, nameof(CommandPollInterval), CommandPollInterval, TimeSpan.FromMilliseconds(10));
        Interval(errors, nameof(NodeClaimPollInterval), NodeClaimPollInterval, TimeSpan.FromMilliseconds(10));
        Interval(errors, nameof(FeedbackPollInterval), FeedbackPollInterval, TimeSpan.FromMilliseconds(10));
        Interval(errors, nameof(ServiceRequestTimeout), ServiceRequestTimeout, TimeSpan.FromMilliseconds(10));
        Interval(errors, nameof(ServiceRetryDelay), ServiceRetryDelay, TimeSpan.FromMilliseconds(1));
        Interval(errors, nameof(MaxRetryDelay), MaxRetryDelay, TimeSpan.FromMilliseconds(1));
        Interval(errors, nameof(WatchTimeout), WatchTimeout, TimeSpan.FromSeconds(1));
        Interval(errors, nameof(MissingResourceRetryInterval), MissingResourceRetryInterval, TimeSpan.FromMilliseconds(10));

        return errors;
    }

    // Every interval has a floor (a zero poll would spin) and a day as ceiling (a typo in units).
    private static void Interval(List<string> errors, string name, TimeSpan value, TimeSpan minimum)
    {
        if (value < minimum || value > TimeSpan.FromDays(1))
        {
            errors.Add($"{Section}:{name} {value} must be from {minimum} to 1.00:00:00");
        }
    }
}
