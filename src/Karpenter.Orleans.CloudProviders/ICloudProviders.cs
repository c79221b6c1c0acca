namespace Karpenter.Orleans.CloudProviders;

/// <summary>The cloud providers the service can use, by the name clusters register with.</summary>
public interface ICloudProviders
{
    /// <summary>The provider named <paramref name="name"/>; throws <see cref="CloudProviderException"/> (InvalidRequest) when none is configured.</summary>
    ICloudProvider Get(string name);

    IReadOnlyCollection<string> Names { get; }
}
