using System.Collections.Concurrent;
using System.Reflection;
using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Service.Tests.Simulation;

/// <summary>
/// An <see cref="IGrainFactory"/> that hands out the recording fleet and cluster grains, so the simulated
/// fleet can be tested without a silo. Built with <see cref="DispatchProxy"/>: only <c>GetGrain&lt;T&gt;(string)</c> is answered.
/// </summary>
public class FakeGrainFactory : DispatchProxy
{
    internal RecordingFleetGrain Fleet { get; } = new();

    internal ConcurrentDictionary<string, RecordingClusterGrain> ClusterGrains { get; } = new(StringComparer.Ordinal);

    internal static (IGrainFactory Factory, FakeGrainFactory Fake) Create()
    {
        var factory = DispatchProxy.Create<IGrainFactory, FakeGrainFactory>();
        return (factory, (FakeGrainFactory)(object)factory);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == nameof(IGrainFactory.GetGrain) && targetMethod.IsGenericMethod && args is [string key, ..])
        {
            var type = targetMethod.GetGenericArguments()[0];
            if (type == typeof(IFleetGrain))
            {
                Assert.Equal(IFleetGrain.FleetKey, key);
                return Fleet;
            }

            if (type == typeof(IClusterGrain))
            {
                return ClusterGrains.GetOrAdd(key, _ => new RecordingClusterGrain());
            }
        }

        throw new NotSupportedException($"{targetMethod} is not faked");
    }
}
