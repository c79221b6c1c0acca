namespace Karpenter.Orleans.Agent.Kubernetes;

/// <summary>The API server answered a list or watch with an error status (a 410 Gone among them, as a status or as a watch ERROR event).</summary>
public sealed class KubeStatusException : Exception
{
    public KubeStatusException(int code, string message)
        : base(message)
    {
        Code = code;
    }

    public KubeStatusException()
        : this(0, "the API server refused a request")
    {
    }

    public KubeStatusException(string message)
        : this(0, message)
    {
    }

    public KubeStatusException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The HTTP status code (410 when the resourceVersion is too old).</summary>
    public int Code { get; }
}
