using k8s.Models;

namespace Karpenter.Orleans.Scheduling.Resources;

/// <summary>
/// Range-checks every quantity of an object before it is kept, and refuses the shapes the solver cannot
/// take (null list entries, spreads and affinity terms without a topology key, maxSkew below 1): the one
/// check the manifest loader and the cluster grain (agent snapshots and deltas) both run, so what one
/// accepts the other accepts too. Each quantity goes through <see cref="QuantityLimits.Problem"/>; the
/// first refused field is returned with its path.
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
            ?? Quantities(spec.Overhead, $"{path}.overhead")
            ?? Shape(spec, path);
    }

    /// <summary>
    /// The fields the solver relies on that the Kubernetes API server would refuse: null list entries, a
    /// spread or (anti-)affinity term without its topology key, maxSkew below 1. An agent only sends what
    /// its API server accepted, but a buggy or hostile one must not reach the solver with these.
    /// </summary>
    private static QuantityProblem? Shape(V1PodSpec spec, string path)
    {
        foreach (var (containers, name) in new[] { (spec.Containers, "containers"), (spec.InitContainers, "initContainers") })
        {
            for (var i = 0; i < (containers?.Count ?? 0); i++)
            {
                if (containers![i] is not { } container)
                {
                    return new QuantityProblem($"{path}.{name}[{i}]", "", "must be a container, not null");
                }

                for (var p = 0; p < (container.Ports?.Count ?? 0); p++)
                {
                    if (container.Ports![p] is null)
                    {
                        return new QuantityProblem($"{path}.{name}[{i}].ports[{p}]", "", "must be a port, not null");
                    }
                }
            }
        }

        for (var i = 0; i < (spec.Tolerations?.Count ?? 0); i++)
        {
            if (spec.Tolerations![i] is null)
            {
                return new QuantityProblem($"{path}.tolerations[{i}]", "", "must be a toleration, not null");
            }
        }

        for (var i = 0; i < (spec.TopologySpreadConstraints?.Count ?? 0); i++)
        {
            var where = $"{path}.topologySpreadConstraints[{i}]";
            if (spec.TopologySpreadConstraints![i] is not { } spread)
            {
                return new QuantityProblem(where, "", "must be a constraint, not null");
            }

            if (string.IsNullOrEmpty(spread.TopologyKey))
            {
                return new QuantityProblem($"{where}.topologyKey", "", "is required");
            }

            if (spread.MaxSkew < 1)
            {
                return new QuantityProblem($"{where}.maxSkew", spread.MaxSkew.ToString(System.Globalization.CultureInfo.InvariantCulture), "must be at least 1");
            }

            if (spread.MinDomains is < 1)
            {
                return new QuantityProblem($"{where}.minDomains", spread.MinDomains.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), "must be at least 1 when set");
            }
        }

        return AffinityTerms(spec.Affinity?.PodAffinity?.RequiredDuringSchedulingIgnoredDuringExecution,
                spec.Affinity?.PodAffinity?.PreferredDuringSchedulingIgnoredDuringExecution, $"{path}.affinity.podAffinity")
            ?? AffinityTerms(spec.Affinity?.PodAntiAffinity?.RequiredDuringSchedulingIgnoredDuringExecution,
                spec.Affinity?.PodAntiAffinity?.PreferredDuringSchedulingIgnoredDuringExecution, $"{path}.affinity.podAntiAffinity");
    }

    private static QuantityProblem? AffinityTerms(IList<V1PodAffinityTerm>? required, IList<V1WeightedPodAffinityTerm>? preferred, string path)
    {
        for (var i = 0; i < (required?.Count ?? 0); i++)
        {
            if (Term(required![i], $"{path}.requiredDuringSchedulingIgnoredDuringExecution[{i}]") is { } problem)
            {
                return problem;
            }
        }

        for (var i = 0; i < (preferred?.Count ?? 0); i++)
        {
            var where = $"{path}.preferredDuringSchedulingIgnoredDuringExecution[{i}]";
            if (preferred![i] is not { } weighted)
            {
                return new QuantityProblem(where, "", "must be a weighted term, not null");
            }

            if (Term(weighted.PodAffinityTerm, $"{where}.podAffinityTerm") is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    private static QuantityProblem? Term(V1PodAffinityTerm? term, string path) =>
        term is null ? new QuantityProblem(path, "", "is required")
        : string.IsNullOrEmpty(term.TopologyKey) ? new QuantityProblem($"{path}.topologyKey", "", "is required")
        : null;

    /// <summary>A node's status.allocatable and status.capacity.</summary>
    public static QuantityProblem? NodeStatus(V1NodeStatus? status, string path = "status")
    {
        ArgumentNullException.ThrowIfNull(path);
        if (status is null)
        {
            return null;
        }

        for (var i = 0; i < (status.Conditions?.Count ?? 0); i++)
        {
            if (status.Conditions![i] is null)
            {
                return new QuantityProblem($"{path}.conditions[{i}]", "", "must be a condition, not null");
            }
        }

        return Quantities(status.Allocatable, $"{path}.allocatable") ?? Quantities(status.Capacity, $"{path}.capacity");
    }

    /// <summary>One map of quantities (requests, limits, allocatable, ...) at <paramref name="path"/>.</summary>
    public static QuantityProblem? Quantities(IDictionary<string, ResourceQuantity>? quantities, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        foreach (var (name, quantity) in quantities ?? new Dictionary<string, ResourceQuantity>())
        {
            if (quantity is null)
            {
                return new QuantityProblem($"{path}.{name}", "", "must be a quantity, not null");
            }

            if (QuantityLimits.Problem(name, quantity) is { } problem)
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
