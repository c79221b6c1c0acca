using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Karpenter.Orleans.CloudProviders.Simulated;

/// <summary>Registers the simulated cloud provider.</summary>
public static class SimulatedCloudServiceCollectionExtensions
{
    /// <summary>
    /// Adds the simulated provider as an <see cref="ICloudProvider"/> named "simulated" and the
    /// <see cref="ICloudProviders"/> registry, options bound from <paramref name="section"/>.
    /// </summary>
    public static IServiceCollection AddSimulatedCloud(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        // Filled in by the simulated provider's implementation.
        return services;
    }
}
