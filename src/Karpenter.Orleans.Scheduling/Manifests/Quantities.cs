using k8s.Models;

namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>Parses Kubernetes quantities with messages a user can act on.</summary>
internal static class Quantities
{
    /// <summary>The parsed quantity, or null with <paramref name="problem"/> set.</summary>
    public static ResourceQuantity? TryParse(string? text, out string problem)
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
        decimal value;
        try
        {
            quantity = new ResourceQuantity(text.Trim());
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
        {
            problem = $"\"{text}\" is not a Kubernetes quantity (like 500m, 2 or 4Gi)";
            return null;
        }

        try
        {
            value = quantity.ToDecimal();
        }
        catch (OverflowException)
        {
            // Found by fuzzing: "1e30" parses as a quantity but has no decimal value.
            problem = $"\"{text}\" is too large";
            return null;
        }

        if (value < 0)
        {
            problem = $"\"{text}\" is negative";
            return null;
        }

        return quantity;
    }
}
