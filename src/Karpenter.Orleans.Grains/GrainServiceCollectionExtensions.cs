using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.Grains.Clusters;
using Karpenter.Orleans.Grains.Interruption;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Karpenter.Orleans.Grains;

/// <summary>Registers what the grains need besides Orleans itself.</summary>
public static class GrainServiceCollectionExtensions
{
    /// <summary>Adds provisioning options (bound from <paramref name="section"/>, validated at start), the clock, shared catalogs and the interruption poller.</summary>
    public static IServiceCollection AddKarpoGrains(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        FaultPoints.Validate();
        services.AddOptions<ProvisioningOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new ServiceClock(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<RegionCatalogs>();
        services.TryAddSingleton<IProvisioningSolver, DefaultProvisioningSolver>();
        services.TryAddSingleton<SolveGate>();
        // With no provider registered the registry is empty and says so by name, instead of failing to resolve.
        services.TryAddSingleton<ICloudProviders, CloudProviderRegistry>();
        services.AddHostedService<InterruptionPoller>();
        return services;
    }
}
