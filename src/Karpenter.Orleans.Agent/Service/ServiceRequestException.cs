using System.Net;

namespace Karpenter.Orleans.Agent.Service;

/// <summary>The service refused a request (a 4xx) or kept failing it; the message names the request and what the service said.</summary>
public sealed class ServiceRequestException : Exception
{
    public ServiceRequestException(string request, HttpStatusCode? statusCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Request = request;
        StatusCode = statusCode;
    }

    public ServiceRequestException()
        : this(string.Empty, null, "the service refused a request")
    {
    }

    public ServiceRequestException(string message)
        : this(string.Empty, null, message)
    {
    }

    public ServiceRequestException(string message, Exception innerException)
        : this(string.Empty, null, message, innerException)
    {
    }

    /// <summary>The request, as "METHOD /path".</summary>
    public string Request { get; }

    /// <summary>The status the service answered, or null when it could not be reached.</summary>
    public HttpStatusCode? StatusCode { get; }
}
