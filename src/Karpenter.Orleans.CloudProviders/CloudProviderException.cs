namespace Karpenter.Orleans.CloudProviders;

/// <summary>The cloud refused a call; <see cref="Code"/> says why in terms the service acts on.</summary>
public sealed class CloudProviderException : Exception
{
    public CloudProviderException(CloudErrorCode code, string message, Exception? inner = null)
        : base(message, inner) => Code = code;

    public CloudProviderException()
        : this(CloudErrorCode.Internal, "the cloud provider failed")
    {
    }

    public CloudProviderException(string message)
        : this(CloudErrorCode.Internal, message)
    {
    }

    public CloudProviderException(string message, Exception inner)
        : this(CloudErrorCode.Internal, message, inner)
    {
    }

    public CloudErrorCode Code { get; }
}
