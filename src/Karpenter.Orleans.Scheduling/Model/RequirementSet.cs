using System.Collections;
using System.Collections.Immutable;

namespace Karpenter.Orleans.Scheduling.Model;

/// <summary>
/// Requirements keyed by label: adding a requirement for a key already present intersects the two.
/// Immutable so that planned NodeClaims, templates and pod groups can share instances.
/// </summary>
public sealed class RequirementSet : IReadOnlyCollection<Requirement>, IEquatable<RequirementSet>
{
    public static readonly RequirementSet Empty = new(ImmutableSortedDictionary<string, Requirement>.Empty.WithComparers(StringComparer.Ordinal));

    private readonly ImmutableSortedDictionary<string, Requirement> _byKey;
    private int _hash;

    // 0: not known yet, 1: no requirement has minValues, 2: one has.
    private int _minValues;

    private RequirementSet(ImmutableSortedDictionary<string, Requirement> byKey) => _byKey = byKey;

    public static RequirementSet Of(params IEnumerable<Requirement> requirements)
    {
        var set = Empty;
        foreach (var r in requirements)
        {
            set = set.Add(r);
        }

        return set;
    }

    /// <summary>In-requirements for each label (template labels, node labels).</summary>
    public static RequirementSet FromLabels(IEnumerable<KeyValuePair<string, string>>? labels) =>
        labels is null ? Empty : Of(labels.Select(l => Requirement.In(l.Key, l.Value)));

    public int Count => _byKey.Count;

    public IEnumerable<string> Keys => _byKey.Keys;

    public Requirement? this[string key] => _byKey.TryGetValue(key, out var r) ? r : null;

    public bool Has(string key) => _byKey.ContainsKey(key);

    public RequirementSet Add(Requirement r) =>
        new(_byKey.SetItem(r.Key, _byKey.TryGetValue(r.Key, out var existing) ? existing.Intersect(r) : r));

    public RequirementSet Add(RequirementSet other)
    {
        if (other.Count == 0)
        {
            return this;
        }

        if (Count == 0)
        {
            return other;
        }

        var builder = _byKey.ToBuilder();
        foreach (var r in other)
        {
            builder[r.Key] = builder.TryGetValue(r.Key, out var existing) ? existing.Intersect(r) : r;
        }

        return new(builder.ToImmutable());
    }

    public RequirementSet Remove(string key) => new(_byKey.Remove(key));

    /// <summary>
    /// Checks that <paramref name="incoming"/> can hold together with this set. A key the incoming set
    /// requires but this set does not define is allowed only for well-known labels or negative operators
    /// (a custom label must be defined by the NodePool). Returns null when compatible, else the reason.
    /// </summary>
    public string? Compatible(RequirementSet incoming, ISet<string> wellKnownLabels)
    {
        foreach (var r in incoming)
        {
            if (!_byKey.TryGetValue(r.Key, out var existing))
            {
                if (!r.IsNegative && !wellKnownLabels.Contains(r.Key))
                {
                    return $"label \"{r.Key}\" does not have known values";
                }

                continue;
            }

            if (!existing.Intersects(r))
            {
                return $"incompatible requirements, key {r.Key}, {r} not in {existing}";
            }
        }

        return null;
    }

    /// <summary>True when every shared key has a common value (or both sides are negative).</summary>
    public bool Intersects(RequirementSet other)
    {
        var (small, large) = Count <= other.Count ? (this, other) : (other, this);
        foreach (var r in small)
        {
            if (large._byKey.TryGetValue(r.Key, out var o) && !r.Intersects(o))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when a node carrying exactly <paramref name="labels"/> satisfies every requirement.</summary>
    public bool MatchesLabels(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var r in _byKey.Values)
        {
            if (labels.TryGetValue(r.Key, out var v))
            {
                if (!r.Has(v))
                {
                    return false;
                }
            }
            else if (!r.IsNegative && r.Operator != RequirementOperator.DoesNotExist)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Single-valued In requirements, which become node labels.</summary>
    public IEnumerable<KeyValuePair<string, string>> SingleValueLabels() =>
        _byKey.Values.Where(r => !r.Complement && r.Values.Count == 1).Select(r => new KeyValuePair<string, string>(r.Key, r.Values[0]));

    public IEnumerator<Requirement> GetEnumerator() => _byKey.Values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(RequirementSet? other)
    {
        if (other is null)
        {
            return false;
        }

        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (Count != other.Count || GetHashCode() != other.GetHashCode())
        {
            return false;
        }

        foreach (var (k, r) in _byKey)
        {
            if (!other._byKey.TryGetValue(k, out var o) || !r.Equals(o))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether any requirement sets <c>minValues</c> (remembered: solvers ask it for every claim they open).</summary>
    public bool AnyMinValues
    {
        get
        {
            if (_minValues == 0)
            {
                _minValues = _byKey.Values.Any(r => r.MinValues is not null) ? 2 : 1;
            }

            return _minValues == 2;
        }
    }

    public override bool Equals(object? obj) => Equals(obj as RequirementSet);

    public override int GetHashCode()
    {
        if (_hash == 0)
        {
            var h = new HashCode();
            foreach (var r in _byKey.Values)
            {
                h.Add(r);
            }

            _hash = h.ToHashCode() | 1;
        }

        return _hash;
    }

    public override string ToString() => string.Join(", ", _byKey.Values);
}
