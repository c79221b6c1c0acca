namespace Karpenter.Orleans.CloudProviders;

/// <summary>The providers registered in the container, by name, each timed into Karpenter's cloud provider call metric.</summary>
public sealed class CloudProviderRegistry(IEnumerable<ICloudProvider> providers) : ICloudProviders
{
    private readonly Dictionary<string, ICloudProvider> _byName = providers.ToDictionary(p => p.Name, p => p is MeteredCloudProvider ? p : (ICloudProvider)new MeteredCloudProvider(p), StringComparer.Ordinal);

    public IReadOnlyCollection<string> Names => _byName.Keys;

    public ICloudProvider Get(string name) =>
        _byName.TryGetValue(name, out var provider)
            ? provider
            : throw new CloudProviderException(CloudErrorCode.InvalidRequest,
                $"no cloud provider named '{name}' is configured (configured: {string.Join(", ", _byName.Keys.Order(StringComparer.Ordinal))})");
}
