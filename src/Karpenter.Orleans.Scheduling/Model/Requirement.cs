using System.Collections.Immutable;
using System.Globalization;

namespace Karpenter.Orleans.Scheduling.Model;

/// <summary>
/// The set of values allowed for one label key: a (possibly complemented) value set with optional
/// integer bounds, as Karpenter models it. In = {values}; NotIn = complement of {values};
/// Exists = complement of {}; DoesNotExist = {}; Gt/Lt/Gte/Lte = Exists with bounds.
/// </summary>
public sealed class Requirement : IEquatable<Requirement>
{
    private readonly int _hash;

    public Requirement(string key, bool complement, ImmutableSortedSet<string> values, long? greaterThanOrEqual = null, long? lessThanOrEqual = null, int? minValues = null)
    {
        Key = key;
        Complement = complement;
        GreaterThanOrEqual = greaterThanOrEqual;
        LessThanOrEqual = lessThanOrEqual;
        MinValues = minValues;
        if (!complement && (greaterThanOrEqual is not null || lessThanOrEqual is not null))
        {
            // A concrete set with bounds is just the values inside the bounds.
            values = values.Where(WithinBounds).ToImmutableSortedSet(StringComparer.Ordinal);
            GreaterThanOrEqual = null;
            LessThanOrEqual = null;
        }
        else if (greaterThanOrEqual is not null && lessThanOrEqual is not null && greaterThanOrEqual > lessThanOrEqual)
        {
            complement = false;
            Complement = false;
            values = ImmutableSortedSet<string>.Empty.WithComparer(StringComparer.Ordinal);
            GreaterThanOrEqual = null;
            LessThanOrEqual = null;
        }

        Values = values;
        var h = new HashCode();
        h.Add(key, StringComparer.Ordinal);
        h.Add(Complement);
        h.Add(GreaterThanOrEqual);
        h.Add(LessThanOrEqual);
        h.Add(MinValues);
        foreach (var v in Values)
        {
            h.Add(v, StringComparer.Ordinal);
        }

        _hash = h.ToHashCode();
    }

    public string Key { get; }

    public bool Complement { get; }

    public ImmutableSortedSet<string> Values { get; }

    public long? GreaterThanOrEqual { get; }

    public long? LessThanOrEqual { get; }

    public int? MinValues { get; }

    public static Requirement In(string key, params IEnumerable<string> values) =>
        new(key, false, values.ToImmutableSortedSet(StringComparer.Ordinal));

    public static Requirement NotIn(string key, params IEnumerable<string> values) =>
        new(key, true, values.ToImmutableSortedSet(StringComparer.Ordinal));

    public static Requirement Exists(string key) => new(key, true, ImmutableSortedSet<string>.Empty.WithComparer(StringComparer.Ordinal));

    public static Requirement DoesNotExist(string key) => new(key, false, ImmutableSortedSet<string>.Empty.WithComparer(StringComparer.Ordinal));

    /// <summary>Builds a requirement from its written form. Gt/Lt values must be integers (validated by the loader).</summary>
    public static Requirement From(NodeSelectorRequirementWithMinValues r)
    {
        var empty = ImmutableSortedSet<string>.Empty.WithComparer(StringComparer.Ordinal);
        var values = r.Values.ToImmutableSortedSet(StringComparer.Ordinal);
        return r.Operator switch
        {
            RequirementOperator.In => new Requirement(r.Key, false, values, minValues: r.MinValues),
            RequirementOperator.NotIn => new Requirement(r.Key, true, values, minValues: r.MinValues),
            RequirementOperator.Exists => new Requirement(r.Key, true, empty, minValues: r.MinValues),
            RequirementOperator.DoesNotExist => new Requirement(r.Key, false, empty, minValues: r.MinValues),
            RequirementOperator.Gt => new Requirement(r.Key, true, empty, greaterThanOrEqual: ParseBound(r) + 1, minValues: r.MinValues),
            RequirementOperator.Gte => new Requirement(r.Key, true, empty, greaterThanOrEqual: ParseBound(r), minValues: r.MinValues),
            RequirementOperator.Lt => new Requirement(r.Key, true, empty, lessThanOrEqual: ParseBound(r) - 1, minValues: r.MinValues),
            RequirementOperator.Lte => new Requirement(r.Key, true, empty, lessThanOrEqual: ParseBound(r), minValues: r.MinValues),
            _ => throw new ArgumentOutOfRangeException(nameof(r), r.Operator, "unknown operator"),
        };
    }

    private static long ParseBound(NodeSelectorRequirementWithMinValues r) =>
        r.Values.Count == 1 && long.TryParse(r.Values[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new FormatException($"requirement '{r.Key}': operator {r.Operator} needs exactly one integer value");

    /// <summary>The operator this requirement would be written with.</summary>
    public RequirementOperator Operator =>
        Complement
            ? (Values.Count > 0 ? RequirementOperator.NotIn : GreaterThanOrEqual is not null ? RequirementOperator.Gte : LessThanOrEqual is not null ? RequirementOperator.Lte : RequirementOperator.Exists)
            : (Values.Count > 0 ? RequirementOperator.In : RequirementOperator.DoesNotExist);

    /// <summary>True for NotIn and DoesNotExist: requirements that can hold on a node without the label.</summary>
    public bool IsNegative => Operator is RequirementOperator.NotIn or RequirementOperator.DoesNotExist;

    /// <summary>Number of allowed values; <see cref="int.MaxValue"/> for open (complemented) sets.</summary>
    public int Count => Complement ? int.MaxValue : Values.Count;

    /// <summary>True when no value at all is allowed.</summary>
    public bool IsEmpty => !Complement && Values.Count == 0;

    public bool Has(string value) =>
        (Complement ? !Values.Contains(value) : Values.Contains(value)) && WithinBounds(value);

    /// <summary>The values allowed by both requirements.</summary>
    public Requirement Intersect(Requirement other)
    {
        if (ReferenceEquals(this, other))
        {
            return this;
        }

        var complement = Complement && other.Complement;
        ImmutableSortedSet<string> values;
        if (Complement && other.Complement)
        {
            values = Values.Union(other.Values);
        }
        else if (Complement)
        {
            values = other.Values.Except(Values);
        }
        else if (other.Complement)
        {
            values = Values.Except(other.Values);
        }
        else
        {
            values = Values.Intersect(other.Values);
        }

        var gte = Max(GreaterThanOrEqual, other.GreaterThanOrEqual);
        var lte = Min(LessThanOrEqual, other.LessThanOrEqual);
        int? minValues = MinValues is null ? other.MinValues : other.MinValues is null ? MinValues : Math.Max(MinValues.Value, other.MinValues.Value);
        return new Requirement(Key, complement, values, gte, lte, minValues);
    }

    /// <summary>
    /// Whether a node could satisfy both: some value is allowed by both, or both are negative
    /// (a node without the label satisfies NotIn/DoesNotExist on both sides).
    /// </summary>
    public bool Intersects(Requirement other)
    {
        if (IsNegative && other.IsNegative)
        {
            return true;
        }

        var i = Intersect(other);
        return i.Complement || i.Values.Count > 0;
    }

    public Requirement WithMinValues(int? minValues) => new(Key, Complement, Values, GreaterThanOrEqual, LessThanOrEqual, minValues);

    private bool WithinBounds(string value)
    {
        if (GreaterThanOrEqual is null && LessThanOrEqual is null)
        {
            return true;
        }

        if (!long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
        {
            return false;
        }

        return (GreaterThanOrEqual is null || n >= GreaterThanOrEqual) && (LessThanOrEqual is null || n <= LessThanOrEqual);
    }

    private static long? Max(long? a, long? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);

    private static long? Min(long? a, long? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

    public bool Equals(Requirement? other) =>
        ReferenceEquals(this, other) || (other is not null && _hash == other._hash && Key == other.Key && Complement == other.Complement &&
        GreaterThanOrEqual == other.GreaterThanOrEqual && LessThanOrEqual == other.LessThanOrEqual &&
        MinValues == other.MinValues && Values.SetEquals(other.Values));

    public override bool Equals(object? obj) => Equals(obj as Requirement);

    public override int GetHashCode() => _hash;

    public override string ToString()
    {
        var op = Operator;
        var text = op switch
        {
            RequirementOperator.In or RequirementOperator.NotIn => $"{Key} {op} [{string.Join(",", Values)}]",
            _ => $"{Key} {op}",
        };
        if (GreaterThanOrEqual is not null)
        {
            text += $" >={GreaterThanOrEqual}";
        }

        if (LessThanOrEqual is not null)
        {
            text += $" <={LessThanOrEqual}";
        }

        return MinValues is null ? text : $"{text} minValues={MinValues}";
    }
}
