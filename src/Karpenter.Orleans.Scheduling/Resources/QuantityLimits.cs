using System.Collections.Concurrent;
using System.Globalization;
using k8s.Models;

namespace Karpenter.Orleans.Scheduling.Resources;

/// <summary>
/// The range of quantities the solver accepts, checked wherever a quantity enters (manifests, the
/// catalog, the agent stream). The solver holds quantities as longs in fixed-point units (millicores,
/// bytes, pods, milli-units of extended resources); a quantity may be at most <see cref="MaxUnits"/> of
/// them, so it is exact as a double too (the LP works in doubles) and sums of a fleet's pods stay far
/// from overflowing. Negative quantities are refused.
/// </summary>
public static class QuantityLimits
{
    /// <summary>2^53 fixed-point units: about 9 trillion cores, 8Pi bytes of memory or storage, 2^53 pods.</summary>
    public const long MaxUnits = 1L << 53;

    // Values seen to render, by format and value: rendering costs more than the rest of the check (BigInteger powers)
    // and a fleet's objects repeat a handful of quantities. Bounded so that a hostile stream cannot grow it.
    private const int MaxRemembered = 4096;
    private static readonly ConcurrentDictionary<(ResourceQuantity.SuffixFormat Format, decimal Value), bool> Renders = new();

    /// <summary>Fixed-point units per whole quantity: 1000 for cpu and extended resources (milli-units), else 1.</summary>
    public static long UnitsPerWhole(string resource) => resource switch
    {
        ResourceNames.Memory or ResourceNames.EphemeralStorage or ResourceNames.Pods or ResourceNames.Nodes => 1,
        _ => 1000,
    };

    /// <summary>Null when the solver can hold <paramref name="quantity"/> of <paramref name="resource"/>, else the problem.</summary>
    public static string? Problem(string resource, ResourceQuantity quantity)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(quantity);
        double approx;
        decimal value;
        try
        {
            // KubernetesClient reads fractions ("39/0m", found by fuzzing) that Kubernetes does not.
            approx = quantity.ToDouble();
            if (approx < 0)
            {
                return "is negative";
            }

            value = quantity.ToDecimal();

            // Rendering it (as the grain and the API do) must work too. A zero denominator already fails ToDecimal
            // on this KubernetesClient; rendering is checked once per value in case another version differs.
            if (!Renders.ContainsKey((quantity.Format, value)))
            {
                _ = quantity.ToString();
                if (Renders.Count < MaxRemembered)
                {
                    Renders.TryAdd((quantity.Format, value), true);
                }
            }
        }
        catch (OverflowException)
        {
            return TooLarge(resource);
        }
        catch (ArithmeticException)
        {
            return "is not a Kubernetes quantity (like 500m, 2 or 4Gi)";
        }

        if (!double.IsFinite(approx))
        {
            return "is not a Kubernetes quantity (like 500m, 2 or 4Gi)";
        }

        return value > MaxUnits / (decimal)UnitsPerWhole(resource) ? TooLarge(resource) : null;
    }

    /// <summary>The largest quantity of <paramref name="resource"/> the solver holds, as a user would write it.</summary>
    public static string Largest(string resource) => resource switch
    {
        ResourceNames.Memory or ResourceNames.EphemeralStorage => "8Pi",
        ResourceNames.Pods or ResourceNames.Nodes => MaxUnits.ToString(CultureInfo.InvariantCulture),
        _ => MaxUnits.ToString(CultureInfo.InvariantCulture) + "m",
    };

    /// <summary>
    /// The quantity in fixed-point units, rounded up. Throws <see cref="OverflowException"/> naming the
    /// resource for a quantity <see cref="Problem"/> calls too large: callers check first.
    /// </summary>
    public static long ToUnits(string resource, ResourceQuantity quantity)
    {
        ArgumentNullException.ThrowIfNull(quantity);
        decimal value;
        try
        {
            value = quantity.ToDecimal();
        }
        catch (OverflowException ex)
        {
            throw new OverflowException($"resource '{resource}': {Display(resource, quantity)} {TooLarge(resource)}", ex);
        }

        var perWhole = UnitsPerWhole(resource);
        if (Math.Abs(value) > MaxUnits / (decimal)perWhole)
        {
            throw new OverflowException($"resource '{resource}': {Display(resource, quantity)} {TooLarge(resource)}");
        }

        return (long)Math.Ceiling(value * perWhole);
    }

    /// <summary>
    /// A quantity for messages. KubernetesClient canonicalises negative quantities oddly ("-6" becomes
    /// "-0.000000000000000006E"), so those are shown as minus the canonical magnitude.
    /// </summary>
    public static string Display(string resource, ResourceQuantity quantity)
    {
        ArgumentNullException.ThrowIfNull(quantity);
        try
        {
            if (quantity.ToDouble() >= 0)
            {
                return quantity.ToString();
            }

            _ = quantity.ToString();
        }
        catch (ArithmeticException)
        {
            // A fraction with a zero denominator cannot even be written back out.
            return "(unreadable)";
        }

        try
        {
            var magnitude = -quantity.ToDecimal();
            return "-" + (UnitsPerWhole(resource) == 1
                ? new ResourceQuantity(magnitude, 0, quantity.Format).CanonicalizeString()
                : new ResourceQuantity(magnitude, 0, ResourceQuantity.SuffixFormat.DecimalSI).CanonicalizeString());
        }
        catch (OverflowException)
        {
            return quantity.ToDouble().ToString("R", CultureInfo.InvariantCulture);
        }
    }

    private static string TooLarge(string resource) =>
        $"is more than the solver can hold ({resource} at most {Largest(resource)})";
}
