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

        return errors;
    }
}
