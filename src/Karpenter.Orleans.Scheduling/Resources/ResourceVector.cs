using System.Collections.Immutable;
using System.Globalization;
using k8s.Models;

namespace Karpenter.Orleans.Scheduling.Resources;

/// <summary>
/// A resource list parsed once into longs: CPU in millicores, memory and ephemeral storage in bytes,
/// pods as a count, extended resources (nvidia.com/gpu, ...) in milli-units. Quantities are parsed
/// with KubernetesClient's <see cref="ResourceQuantity"/>; the solver then works on integers only.
/// Arithmetic saturates at <see cref="long.MaxValue"/> (and <see cref="long.MinValue"/>) instead of
/// wrapping: a single quantity is at most <see cref="QuantityLimits.MaxUnits"/>, but a sum over many
/// large pods could pass a long, and a saturated sum still compares as "does not fit".
/// </summary>
public readonly struct ResourceVector : IEquatable<ResourceVector>
{
    public static readonly ResourceVector Zero;

    public ResourceVector(long milliCpu, long memory, long pods, long ephemeralStorage = 0, ImmutableSortedDictionary<string, long>? extended = null)
    {
        MilliCpu = milliCpu;
        Memory = memory;
        Pods = pods;
        EphemeralStorage = ephemeralStorage;
        Extended = extended is { Count: > 0 } ? extended : null;
    }

    public long MilliCpu { get; }

    public long Memory { get; }

    public long Pods { get; }

    public long EphemeralStorage { get; }

    /// <summary>Extended resources in milli-units, or null when there are none (the common case).</summary>
    public ImmutableSortedDictionary<string, long>? Extended { get; }

    public bool IsZero => MilliCpu == 0 && Memory == 0 && Pods == 0 && EphemeralStorage == 0 && Extended is null;

    public long Get(string name) => name switch
    {
        ResourceNames.Cpu => MilliCpu,
        ResourceNames.Memory => Memory,
        ResourceNames.Pods => Pods,
        ResourceNames.EphemeralStorage => EphemeralStorage,
        _ => Extended is not null && Extended.TryGetValue(name, out var v) ? v : 0,
    };

    public static ResourceVector operator +(ResourceVector a, ResourceVector b) =>
        new(SatAdd(a.MilliCpu, b.MilliCpu), SatAdd(a.Memory, b.Memory), SatAdd(a.Pods, b.Pods), SatAdd(a.EphemeralStorage, b.EphemeralStorage), Combine(a.Extended, b.Extended, 1));

    public static ResourceVector operator -(ResourceVector a, ResourceVector b) =>
        new(SatSub(a.MilliCpu, b.MilliCpu), SatSub(a.Memory, b.Memory), SatSub(a.Pods, b.Pods), SatSub(a.EphemeralStorage, b.EphemeralStorage), Combine(a.Extended, b.Extended, -1));

    public static ResourceVector operator *(ResourceVector a, long k) =>
        new(SatMul(a.MilliCpu, k), SatMul(a.Memory, k), SatMul(a.Pods, k), SatMul(a.EphemeralStorage, k),
            a.Extended?.ToImmutableSortedDictionary(p => p.Key, p => SatMul(p.Value, k), StringComparer.Ordinal));

    public static ResourceVector Add(ResourceVector a, ResourceVector b) => a + b;

    public static ResourceVector Subtract(ResourceVector a, ResourceVector b) => a - b;

    public static ResourceVector Multiply(ResourceVector a, long k) => a * k;

    /// <summary>Component-wise maximum: init containers versus the sum of app containers.</summary>
    public static ResourceVector Max(ResourceVector a, ResourceVector b)
    {
        ImmutableSortedDictionary<string, long>? ext;
        if (b.Extended is null || ReferenceEquals(a.Extended, b.Extended) || Covers(a.Extended, b.Extended))
        {
            // Nothing to merge (the common case, folded over many types): no new dictionary.
            ext = a.Extended;
        }
        else if (a.Extended is null)
        {
            ext = b.Extended;
        }
        else
        {
            var builder = ImmutableSortedDictionary.CreateBuilder<string, long>(StringComparer.Ordinal);
            foreach (var (k, v) in a.Extended ?? ImmutableSortedDictionary<string, long>.Empty)
            {
                builder[k] = v;
            }

            foreach (var (k, v) in b.Extended ?? ImmutableSortedDictionary<string, long>.Empty)
            {
                builder[k] = builder.TryGetValue(k, out var cur) ? Math.Max(cur, v) : v;
            }

            ext = builder.ToImmutable();
        }

        return new(Math.Max(a.MilliCpu, b.MilliCpu), Math.Max(a.Memory, b.Memory), Math.Max(a.Pods, b.Pods),
            Math.Max(a.EphemeralStorage, b.EphemeralStorage), ext);
    }

    /// <summary>Whether <paramref name="a"/> has every key of <paramref name="b"/> at a value at least as large.</summary>
    private static bool Covers(ImmutableSortedDictionary<string, long>? a, ImmutableSortedDictionary<string, long> b)
    {
        if (a is null)
        {
            return false;
        }

        foreach (var (k, v) in b)
        {
            if (!a.TryGetValue(k, out var cur) || cur < v)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when every component of this vector is at most the one in <paramref name="available"/>.</summary>
    public bool FitsIn(in ResourceVector available)
    {
        if (MilliCpu > available.MilliCpu || Memory > available.Memory || Pods > available.Pods || EphemeralStorage > available.EphemeralStorage)
        {
            return false;
        }

        if (Extended is null)
        {
            return true;
        }

        foreach (var (k, v) in Extended)
        {
            if (v > 0 && v > available.Get(k))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// How many copies of <paramref name="unit"/> fit into this vector (a division, not a loop).
    /// Returns <see cref="long.MaxValue"/> when the unit is zero.
    /// </summary>
    public long HowManyFit(in ResourceVector unit)
    {
        var n = long.MaxValue;
        n = Bound(n, MilliCpu, unit.MilliCpu);
        n = Bound(n, Memory, unit.Memory);
        n = Bound(n, Pods, unit.Pods);
        n = Bound(n, EphemeralStorage, unit.EphemeralStorage);
        if (unit.Extended is not null)
        {
            foreach (var (k, v) in unit.Extended)
            {
                n = Bound(n, Get(k), v);
            }
        }

        return n;

        static long Bound(long n, long have, long need) =>
            need <= 0 ? n : have < 0 ? 0 : Math.Min(n, have / need);
    }

    /// <summary>
    /// How many copies of <paramref name="unit"/> fit into <paramref name="room"/> minus <paramref name="used"/>,
    /// without building the difference (the solver's hot loop; extended resources are looked up, not copied).
    /// </summary>
    public static long HowManyFit(in ResourceVector room, in ResourceVector used, in ResourceVector unit)
    {
        var n = long.MaxValue;
        n = Bound(n, SatSub(room.MilliCpu, used.MilliCpu), unit.MilliCpu);
        n = Bound(n, SatSub(room.Memory, used.Memory), unit.Memory);
        n = Bound(n, SatSub(room.Pods, used.Pods), unit.Pods);
        n = Bound(n, SatSub(room.EphemeralStorage, used.EphemeralStorage), unit.EphemeralStorage);
        if (unit.Extended is not null)
        {
            foreach (var (k, v) in unit.Extended)
            {
                n = Bound(n, SatSub(room.Get(k), used.Get(k)), v);
            }
        }

        return n;

        static long Bound(long n, long have, long need) =>
            need <= 0 ? n : have < 0 ? 0 : Math.Min(n, have / need);
    }

    /// <summary>Whether the fixed resources (cpu, memory, pods, ephemeral storage) fit; a cheap pre-check.</summary>
    public bool FixedFitsIn(in ResourceVector available) =>
        MilliCpu <= available.MilliCpu && Memory <= available.Memory && Pods <= available.Pods && EphemeralStorage <= available.EphemeralStorage;

    /// <summary>Names of the resources where this vector exceeds <paramref name="available"/>.</summary>
    public IEnumerable<string> ExceededResources(ResourceVector available)
    {
        if (MilliCpu > available.MilliCpu)
        {
            yield return ResourceNames.Cpu;
        }

        if (Memory > available.Memory)
        {
            yield return ResourceNames.Memory;
        }

        if (Pods > available.Pods)
        {
            yield return ResourceNames.Pods;
        }

        if (EphemeralStorage > available.EphemeralStorage)
        {
            yield return ResourceNames.EphemeralStorage;
        }

        if (Extended is not null)
        {
            foreach (var (k, v) in Extended)
            {
                if (v > available.Get(k))
                {
                    yield return k;
                }
            }
        }
    }

    /// <summary>
    /// Parses a Kubernetes resource map (for example <c>status.allocatable</c>). Quantities are expected
    /// within <see cref="QuantityLimits"/> (checked where they enter); one beyond throws
    /// <see cref="OverflowException"/> naming the resource.
    /// </summary>
    public static ResourceVector FromQuantities(IEnumerable<KeyValuePair<string, ResourceQuantity>>? quantities)
    {
        if (quantities is null)
        {
            return Zero;
        }

        long cpu = 0, mem = 0, pods = 0, eph = 0;
        ImmutableSortedDictionary<string, long>.Builder? ext = null;
        foreach (var (name, q) in quantities)
        {
            if (q is null)
            {
                continue;
            }

            var value = QuantityLimits.ToUnits(name, q);
            switch (name)
            {
                case ResourceNames.Cpu:
                    cpu = SatAdd(cpu, value);
                    break;
                case ResourceNames.Memory:
                    mem = SatAdd(mem, value);
                    break;
                case ResourceNames.Pods:
                    pods = SatAdd(pods, value);
                    break;
                case ResourceNames.EphemeralStorage:
                    eph = SatAdd(eph, value);
                    break;
                default:
                    ext ??= ImmutableSortedDictionary.CreateBuilder<string, long>(StringComparer.Ordinal);
                    ext[name] = SatAdd(ext.TryGetValue(name, out var cur) ? cur : 0, value);
                    break;
            }
        }

        return new ResourceVector(cpu, mem, pods, eph, ext?.ToImmutable());
    }

    /// <summary>Parses a map of quantity strings; throws <see cref="FormatException"/> naming the bad entry.</summary>
    public static ResourceVector Parse(IEnumerable<KeyValuePair<string, string>>? quantities)
    {
        if (quantities is null)
        {
            return Zero;
        }

        var parsed = new List<KeyValuePair<string, ResourceQuantity>>();
        foreach (var (name, text) in quantities)
        {
            parsed.Add(new(name, ParseQuantity(name, text)));
        }

        return FromQuantities(parsed);
    }

    /// <summary>Parses one quantity, with an error that names the resource.</summary>
    public static ResourceQuantity ParseQuantity(string name, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new FormatException($"resource '{name}': empty quantity");
        }

        try
        {
            var q = new ResourceQuantity(text.Trim());
            if (QuantityLimits.Problem(name, q) is { } problem)
            {
                throw new FormatException($"resource '{name}': quantity '{text}' {problem}");
            }

            return q;
        }
        catch (Exception ex) when (ex is not FormatException)
        {
            throw new FormatException($"resource '{name}': '{text}' is not a Kubernetes quantity", ex);
        }
    }

    /// <summary>Renders the vector as Kubernetes quantity strings, omitting zero entries except pods.</summary>
    public SortedDictionary<string, string> ToQuantityStrings()
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [ResourceNames.Cpu] = FormatMilli(MilliCpu),
            [ResourceNames.Memory] = FormatBytes(Memory),
            [ResourceNames.Pods] = Pods.ToString(CultureInfo.InvariantCulture),
        };
        if (EphemeralStorage != 0)
        {
            result[ResourceNames.EphemeralStorage] = FormatBytes(EphemeralStorage);
        }

        if (Extended is not null)
        {
            foreach (var (k, v) in Extended)
            {
                result[k] = FormatMilli(v);
            }
        }

        return result;
    }

    /// <summary>Formats a milli-unit value the way kubectl does: "1", "1500m".</summary>
    public static string FormatMilli(long milli) =>
        new ResourceQuantity(milli / 1000m, 0, ResourceQuantity.SuffixFormat.DecimalSI).CanonicalizeString();

    /// <summary>Formats bytes with binary suffixes when exact ("2Gi", "1536Mi").</summary>
    public static string FormatBytes(long bytes) =>
        new ResourceQuantity(bytes, 0, ResourceQuantity.SuffixFormat.BinarySI).CanonicalizeString();

    public bool Equals(ResourceVector other)
    {
        if (MilliCpu != other.MilliCpu || Memory != other.Memory || Pods != other.Pods || EphemeralStorage != other.EphemeralStorage)
        {
            return false;
        }

        if (Extended is null || other.Extended is null)
        {
            return Extended is null && other.Extended is null;
        }

        return Extended.Count == other.Extended.Count && Extended.All(p => other.Extended.TryGetValue(p.Key, out var v) && v == p.Value);
    }

    public override bool Equals(object? obj) => obj is ResourceVector other && Equals(other);

    public override int GetHashCode()
    {
        var h = HashCode.Combine(MilliCpu, Memory, Pods, EphemeralStorage);
        if (Extended is not null)
        {
            foreach (var (k, v) in Extended)
            {
                h = HashCode.Combine(h, StringComparer.Ordinal.GetHashCode(k), v);
            }
        }

        return h;
    }

    public static bool operator ==(ResourceVector left, ResourceVector right) => left.Equals(right);

    public static bool operator !=(ResourceVector left, ResourceVector right) => !left.Equals(right);

    public override string ToString() =>
        string.Join(",", ToQuantityStrings().Select(p => $"{p.Key}={p.Value}"));

    /// <summary>a + b, clamped to the range of a long.</summary>
    public static long SatAdd(long a, long b)
    {
        var r = unchecked(a + b);
        // Overflow iff both operands have the sign the result lacks.
        return ((a ^ r) & (b ^ r)) < 0 ? (a < 0 ? long.MinValue : long.MaxValue) : r;
    }

    /// <summary>a - b, clamped to the range of a long.</summary>
    public static long SatSub(long a, long b)
    {
        var r = unchecked(a - b);
        return ((a ^ b) & (a ^ r)) < 0 ? (a < 0 ? long.MinValue : long.MaxValue) : r;
    }

    /// <summary>a * b, clamped to the range of a long.</summary>
    public static long SatMul(long a, long b)
    {
        var r = (Int128)a * b;
        return r > long.MaxValue ? long.MaxValue : r < long.MinValue ? long.MinValue : (long)r;
    }

    private static ImmutableSortedDictionary<string, long>? Combine(
        ImmutableSortedDictionary<string, long>? a, ImmutableSortedDictionary<string, long>? b, int sign)
    {
        if (b is null)
        {
            return a;
        }

        var builder = (a ?? ImmutableSortedDictionary<string, long>.Empty.WithComparers(StringComparer.Ordinal)).ToBuilder();
        foreach (var (k, v) in b)
        {
            var cur = builder.TryGetValue(k, out var c) ? c : 0;
            builder[k] = sign > 0 ? SatAdd(cur, v) : SatSub(cur, v);
        }

        return builder.ToImmutable();
    }
}
