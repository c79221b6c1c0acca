using System.Numerics;

namespace Karpenter.Orleans.Scheduling.Provisioning.Internal;

/// <summary>A set of instance types as a bitset over the catalog index; sets intersect with AND.</summary>
internal sealed class TypeSet : IEquatable<TypeSet>
{
    private readonly ulong[] _words;

    public TypeSet(int size)
    {
        Size = size;
        _words = new ulong[(size + 63) >> 6];
    }

    private TypeSet(int size, ulong[] words)
    {
        Size = size;
        _words = words;
    }

    public int Size { get; }

    public static TypeSet All(int size)
    {
        var s = new TypeSet(size);
        for (var i = 0; i < size; i++)
        {
            s.Set(i);
        }

        return s;
    }

    public void Set(int i) => _words[i >> 6] |= 1UL << (i & 63);

    public void Clear(int i) => _words[i >> 6] &= ~(1UL << (i & 63));

    public bool Contains(int i) => (_words[i >> 6] & (1UL << (i & 63))) != 0;

    public bool IsEmpty
    {
        get
        {
            foreach (var w in _words)
            {
                if (w != 0)
                {
                    return false;
                }
            }

            return true;
        }
    }

    public int Count
    {
        get
        {
            var n = 0;
            foreach (var w in _words)
            {
                n += BitOperations.PopCount(w);
            }

            return n;
        }
    }

    public TypeSet And(TypeSet other)
    {
        var words = new ulong[_words.Length];
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = _words[i] & other._words[i];
        }

        return new TypeSet(Size, words);
    }

    public TypeSet Copy() => new(Size, (ulong[])_words.Clone());

    /// <summary>Indices in ascending order.</summary>
    public IEnumerable<int> Indices()
    {
        for (var w = 0; w < _words.Length; w++)
        {
            var word = _words[w];
            while (word != 0)
            {
                var bit = BitOperations.TrailingZeroCount(word);
                yield return (w << 6) + bit;
                word &= word - 1;
            }
        }
    }

    /// <summary>Fills <paramref name="buffer"/> with the indices; returns how many.</summary>
    public int CopyIndices(List<int> buffer)
    {
        buffer.Clear();
        for (var w = 0; w < _words.Length; w++)
        {
            var word = _words[w];
            while (word != 0)
            {
                var bit = BitOperations.TrailingZeroCount(word);
                buffer.Add((w << 6) + bit);
                word &= word - 1;
            }
        }

        return buffer.Count;
    }

    public bool Equals(TypeSet? other) => other is not null && _words.AsSpan().SequenceEqual(other._words);

    public override bool Equals(object? obj) => Equals(obj as TypeSet);

    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var w in _words)
        {
            h.Add(w);
        }

        return h.ToHashCode();
    }
}
