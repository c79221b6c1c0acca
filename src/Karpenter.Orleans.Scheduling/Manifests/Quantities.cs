using k8s.Models;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>Parses Kubernetes quantities with messages a user can act on.</summary>
internal static class Quantities
{
    /// <summary>
    /// The parsed quantity of <paramref name="resource"/>, or null with <paramref name="problem"/> set: not a
    /// quantity, or outside what the solver holds (<see cref="QuantityLimits"/>).
    /// </summary>
    public static ResourceQuantity? TryParse(string resource, string? text, out string problem)
    {
        problem = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            problem = "a quantity is required (like 500m, 2 or 4Gi)";
            return null;
        }

        // KubernetesClient's parser takes fractions ("39/0m", found by fuzzing); Kubernetes quantities have none.
        if (text.Contains('/', StringComparison.Ordinal))
        {
            problem = $"\"{text}\" is not a Kubernetes quantity (like 500m, 2 or 4Gi)";
            return null;
        }

        ResourceQuantity quantity;
        try
        {
            quantity = new ResourceQuantity(text.Trim());
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
        {
            problem = $"\"{text}\" is not a Kubernetes quantity (like 500m, 2 or 4Gi)";
            return null;
        }

        if (QuantityLimits.Problem(resource, quantity) is { } range)
        {
            problem = $"\"{text}\" {range}";
            return null;
        }

        return quantity;
    }
}
