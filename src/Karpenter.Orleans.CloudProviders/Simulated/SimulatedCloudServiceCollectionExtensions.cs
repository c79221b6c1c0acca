using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

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
        services.AddOptions<SimulatedCloudOptions>()
            .Bind(section)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SimulatedCloudOptions>, SimulatedCloudOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new SimulatedCloudProvider(
            sp.GetRequiredService<IOptions<SimulatedCloudOptions>>().Value,
            sp.GetRequiredService<TimeProvider>()));

        // The registry collects every ICloudProvider; the same singleton serves both registrations so
        // tests that inject faults into SimulatedCloudProvider affect what the service uses.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICloudProvider, SimulatedCloudProvider>(sp => sp.GetRequiredService<SimulatedCloudProvider>()));
        services.TryAddSingleton<ICloudProviders, CloudProviderRegistry>();
        return services;
    }
}
