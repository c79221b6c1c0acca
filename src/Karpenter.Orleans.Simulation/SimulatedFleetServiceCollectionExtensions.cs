using Karpenter.Orleans.CloudProviders;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.Simulation;

/// <summary>Registers the simulated fleet.</summary>
public static class SimulatedFleetServiceCollectionExtensions
{
    /// <summary>
    /// Adds the simulated fleet with options bound from <paramref name="section"/> (normally
    /// <see cref="SimulatedFleetOptions.SectionName"/>) and validated at start. When <c>Enabled</c> is false
    /// nothing but the options is registered. <c>Mode</c> picks the fleet: <see cref="SimulationMode.Kubernetes"/>
    /// (the default) registers a <see cref="SimulatedKubeFleet"/>, whose agents stream to
    /// <see cref="SimulatedFleetOptions.ServiceUrl"/> or else to what <paramref name="serviceUrl"/> returns once the
    /// host has started (the silo's own address); <see cref="SimulationMode.InProcess"/> a <see cref="SimulatedFleet"/>.
    /// When <c>AutoTick</c> is false the fleet is registered without its hosted service, for tests that tick it
    /// themselves. Needs <c>IGrainFactory</c> (inside a silo) and <c>ICloudProviders</c>; time comes from a
    /// <see cref="TimeProvider"/> keyed <see cref="SimulatedFleet.TimeProviderKey"/> if one is registered, else the container's.
    /// </summary>
    public static IServiceCollection AddSimulatedFleet(this IServiceCollection services, IConfiguration section, Func<IServiceProvider, Uri?>? serviceUrl = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        services.AddOptions<SimulatedFleetOptions>()
            .Bind(section)
            .PostConfigure(o =>
            {
                if (o.Clusters.Count == 0)
                {
                    o.Clusters.AddRange(SimulatedFleetOptions.DefaultClusters(o.Provider));
                }
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SimulatedFleetOptions>, SimulatedFleetOptionsValidator>());

        // Read here rather than from IOptions: whether services exist at all is decided at registration.
        if (!section.GetValue(nameof(SimulatedFleetOptions.Enabled), true))
        {
            return services;
        }

        if (section.GetValue(nameof(SimulatedFleetOptions.Mode), SimulationMode.Kubernetes) == SimulationMode.Kubernetes)
        {
            services.TryAddSingleton(sp => new SimulatedKubeFleet(
                sp.GetRequiredService<IOptions<SimulatedFleetOptions>>(),
                sp.GetRequiredService<IGrainFactory>(),
                sp.GetRequiredService<ICloudProviders>(),
                sp.GetRequiredService<ILoggerFactory>(),
                Clock(sp)));
            if (section.GetValue(nameof(SimulatedFleetOptions.AutoTick), true))
            {
                services.AddHostedService(sp => new SimulatedKubeFleetService(
                    sp.GetRequiredService<SimulatedKubeFleet>(),
                    sp.GetRequiredService<IOptions<SimulatedFleetOptions>>(),
                    sp.GetRequiredService<IHostApplicationLifetime>(),
                    () => serviceUrl?.Invoke(sp),
                    sp.GetRequiredService<ILogger<SimulatedKubeFleetService>>(),
                    Clock(sp)));
            }

            return services;
        }

        services.TryAddSingleton(sp => new SimulatedFleet(
            sp.GetRequiredService<IOptions<SimulatedFleetOptions>>(),
            sp.GetRequiredService<IGrainFactory>(),
            sp.GetRequiredService<ICloudProviders>(),
            sp.GetRequiredService<ILoggerFactory>(),
            Clock(sp)));
        if (section.GetValue(nameof(SimulatedFleetOptions.AutoTick), true))
        {
            services.AddHostedService(sp => new SimulatedFleetService(
                sp.GetRequiredService<SimulatedFleet>(),
                sp.GetRequiredService<IOptions<SimulatedFleetOptions>>(),
                sp.GetRequiredService<IHostApplicationLifetime>(),
                sp.GetRequiredService<ILogger<SimulatedFleetService>>(),
                Clock(sp)));
        }

        return services;
    }

    /// <summary>
    /// The fleet's clock: a <see cref="TimeProvider"/> keyed <see cref="SimulatedFleet.TimeProviderKey"/> when
    /// registered (tests move the simulation's time without moving Orleans' timers), else the container's.
    /// </summary>
    private static TimeProvider Clock(IServiceProvider services) =>
        services.GetKeyedService<TimeProvider>(SimulatedFleet.TimeProviderKey)
        ?? services.GetService<TimeProvider>()
        ?? TimeProvider.System;
}
