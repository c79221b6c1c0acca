using k8s.Models;

namespace Karpenter.Orleans.Scheduling.Resources;

/// <summary>
/// Range-checks every quantity of an object before it is kept: the one check the manifest loader and the
/// cluster grain (agent snapshots and deltas) both run, so what one accepts the other accepts too. Each
/// quantity goes through <see cref="QuantityLimits.Problem"/>; the first refused one is returned with its
/// field path.
/// </summary>
public static class ResourceValidation
{
    /// <summary>Container and init-container requests and limits, pod-level resources and overhead of a pod spec at <paramref name="path"/>.</summary>
    public static QuantityProblem? PodSpec(V1PodSpec? spec, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (spec is null)
        {
            return null;
        }

        return Containers(spec.Containers, $"{path}.containers")
            ?? Containers(spec.InitContainers, $"{path}.initContainers")
            ?? Requirements(spec.Resources, $"{path}.resources")
            ?? Quantities(spec.Overhead, $"{path}.overhead");
    }

    /// <summary>A node's status.allocatable and status.capacity.</summary>
    public static QuantityProblem? NodeStatus(V1NodeStatus? status, string path = "status")
    {
        ArgumentNullException.ThrowIfNull(path);
        return status is null
            ? null
            : Quantities(status.Allocatable, $"{path}.allocatable") ?? Quantities(status.Capacity, $"{path}.capacity");
    }

    /// <summary>One map of quantities (requests, limits, allocatable, ...) at <paramref name="path"/>.</summary>
    public static QuantityProblem? Quantities(IDictionary<string, ResourceQuantity>? quantities, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        foreach (var (name, quantity) in quantities ?? new Dictionary<string, ResourceQuantity>())
        {
            if (quantity is not null && QuantityLimits.Problem(name, quantity) is { } problem)
            {
                return new QuantityProblem($"{path}.{name}", QuantityLimits.Display(name, quantity), problem);
            }
        }

        return null;
    }

    private static QuantityProblem? Containers(IList<V1Container>? containers, string path)
    {
        for (var i = 0; i < (containers?.Count ?? 0); i++)
        {
            if (Requirements(containers![i]?.Resources, $"{path}[{i}].resources") is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    private static QuantityProblem? Requirements(V1ResourceRequirements? resources, string path) =>
        resources is null
            ? null
            : Quantities(resources.Requests, $"{path}.requests") ?? Quantities(resources.Limits, $"{path}.limits");
}
